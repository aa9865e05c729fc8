import { useNavigate } from 'react-router';
import { PageHeader } from '@/components/ui/Feedback';
import { CreateKeyWizard } from '@/features/api-keys/components/CreateKeyWizard';

export function NewApiKeyPage() {
  const navigate = useNavigate();
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Add New Key" />
      <CreateKeyWizard onDone={() => navigate('/api-keys')} />
    </section>
  );
}
