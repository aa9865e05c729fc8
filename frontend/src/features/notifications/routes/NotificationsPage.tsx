import { ErrorBox, EmptyState, Loading, PageHeader } from '@/components/ui/Feedback';
import { listNotifications, markRead, notificationText } from '@/features/notifications/api/notifications';
import { errorMessage } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useAsync } from '@/lib/use-async';
import { useState } from 'react';

/** What concerns the signed-in user: their credentials' events and reminders (for admins, the organization's). */
export function NotificationsPage() {
  const list = useAsync((signal) => listNotifications(signal), []);
  const [failure, setFailure] = useState<string>();
  const items = list.data?.items ?? [];
  const unread = list.data?.unreadCount ?? 0;

  const markAll = async () => {
    setFailure(undefined);
    try {
      if (items[0]) await markRead(items[0].id);
      list.reload();
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader
        title="Notifications"
        actions={
          unread > 0 ? (
            <button type="button" className="button" onClick={() => void markAll()}>
              Mark all as read
            </button>
          ) : undefined
        }
      >
        Changes to your keys made by others, expiry and idle-key reminders, and for credential admins the organization’s
        alerts.
      </PageHeader>
      {failure && (
        <p className="alert alert--error" role="alert">
          {failure}
        </p>
      )}
      {list.loading && !list.data ? (
        <Loading label="Loading notifications…" />
      ) : list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : items.length === 0 ? (
        <EmptyState title="Nothing new" icon="🔔">
          <p>You will see here when one of your keys is about to expire, has expired or is no longer used.</p>
        </EmptyState>
      ) : (
        <ul className="notifications" aria-label="Notifications">
          {items.map((n) => (
            <li key={n.id} className={n.unread ? 'notification notification--unread' : 'notification'}>
              {n.unread && <span className="visually-hidden">Unread: </span>}
              <span>{notificationText(n)}</span> <time dateTime={n.occurredAt}>{formatDateTime(n.occurredAt)}</time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
