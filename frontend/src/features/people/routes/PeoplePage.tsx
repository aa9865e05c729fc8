import { ComingSoon } from '@/components/ui/ComingSoon';

export function PeoplePage() {
  return (
    <ComingSoon title="People">
      Browse your organization&apos;s people records, showing only the fields your role may see.
    </ComingSoon>
  );
}
