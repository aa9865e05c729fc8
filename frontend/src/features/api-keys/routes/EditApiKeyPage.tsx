import { PageHeader } from '@/components/ui/Feedback';

/** Placeholder: edit a key's name, description and permissions after creation (/api-keys/:keyId/edit) */
export function EditApiKeyPage() {
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Edit key" />
    </section>
  );
}
