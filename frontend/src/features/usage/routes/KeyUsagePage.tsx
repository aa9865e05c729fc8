import { PageHeader } from '@/components/ui/Feedback';

/** Placeholder: one key's usage (/api-keys/:keyId/usage) */
export function KeyUsagePage() {
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Key usage" />
    </section>
  );
}
