import { useNavigate, useSearchParams } from 'react-router';
import { PageHeader } from '@/components/ui/Feedback';
import { CreateKeyWizard } from '@/features/api-keys/components/CreateKeyWizard';

export function NewApiKeyPage() {
  const navigate = useNavigate();
  // opened from API Management ("Create key"): back there afterwards
  const [params] = useSearchParams();
  const back = params.get('from') === 'management' ? '/settings/api-management' : '/api-keys';
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Create key" />
      <CreateKeyWizard onDone={() => navigate(back)} />
    </section>
  );
}
