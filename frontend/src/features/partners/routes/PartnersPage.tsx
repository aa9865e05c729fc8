import { PageHeader } from '@/components/ui/Feedback';

/** Placeholder: the partner directory */
export function PartnersPage() {
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Partners" />
    </section>
  );
}
