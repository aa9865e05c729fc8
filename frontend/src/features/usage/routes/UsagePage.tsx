import { Link } from 'react-router';
import { EmptyState, PageHeader } from '@/components/ui/Feedback';
import { getOrganizationUsage } from '@/features/usage/api/usage';
import { UsageView, useRange } from '@/features/usage/components/UsageView';
import { hasPermission, useMe } from '@/lib/auth';
import { useAsync } from '@/lib/use-async';

/** The organization's key usage (/usage): requests over time by outcome, operations and the busiest keys. */
export function UsagePage() {
  const me = useMe();
  if (!hasPermission(me, 'keys:manage-all')) {
    return (
      <section className="page" aria-labelledby="page-title">
        <PageHeader title="Usage" />
        <EmptyState title="Not available" icon="🔒">
          <p>
            The organization’s usage needs the “Manage ALL organization API credentials” permission. The usage of your
            own keys is on each key’s page under <Link to="/api-keys">API Keys</Link>.
          </p>
        </EmptyState>
      </section>
    );
  }
  return <OrganizationUsage />;
}

function OrganizationUsage() {
  const [range, setRange] = useRange();
  const usage = useAsync((signal) => getOrganizationUsage(range, signal), [range.id]);
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader
        title="Usage"
        actions={
          <Link to="/least-privilege" className="button">
            Unused permissions
          </Link>
        }
      >
        Requests made with the organization’s API keys, by outcome. Counts are written behind, so the last few seconds
        may not show yet.
      </PageHeader>
      <UsageView
        usage={usage}
        range={range}
        onRange={setRange}
        subject="the organization’s"
        empty={
          <p>
            Calls made with any of the organization’s keys appear here within about a minute. Create a key under{' '}
            <Link to="/api-keys">API Keys</Link> and call the API — see the <a href="/docs/">API docs at /docs/</a>.
          </p>
        }
      />
    </section>
  );
}
