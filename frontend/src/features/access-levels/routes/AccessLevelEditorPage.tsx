import { PageHeader } from '@/components/ui/Feedback';

/** Placeholder: create (/settings/access-levels/new) or edit (/settings/access-levels/:accessLevelId) a custom level */
export function AccessLevelEditorPage() {
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Access level" />
    </section>
  );
}
