import { ComingSoon } from '@/components/ui/ComingSoon';

export function ApiManagementPage() {
  return (
    <ComingSoon title="API Management">
      Oversee every key in the organization: see who owns it and when it was last used, then disable, rotate or revoke
      it.
    </ComingSoon>
  );
}
