import { ComingSoon } from '@/components/ui/ComingSoon';

export function ApiKeysPage() {
  return (
    <ComingSoon title="API Keys">
      Create named keys for your integrations, see each secret exactly once, and choose precisely what every key may
      do.
    </ComingSoon>
  );
}
