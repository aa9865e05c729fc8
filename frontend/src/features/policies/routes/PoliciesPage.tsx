import { PageHeader } from '@/components/ui/Feedback';

/** Placeholder: the organization's key policies */
export function PoliciesPage() {
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Organization policies" />
    </section>
  );
}
