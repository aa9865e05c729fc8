import { PageHeader } from '@/components/ui/Feedback';

/** Placeholder: organization usage charts */
export function UsagePage() {
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Usage" />
    </section>
  );
}
