import { SecretField } from '@/components/ui/SecretField';
import type { Link } from '@/features/users/api/users';
import { formatDateTime } from '@/lib/format';

/** A one-time invitation or password-reset link: read-only, with Copy; it is shown only this once. */
export function OneTimeLink({ label, link }: { label: string; link: Link }) {
  return (
    <SecretField
      label={label}
      secret={link.url}
      noun="link"
      warning={
        <>
          <strong>Pass this link on now.</strong> It works once, until {formatDateTime(link.expiresAt)}, and will not be
          shown again.{link.emailed ? ' It was also e-mailed to the user.' : ''}
        </>
      }
    />
  );
}
