import { useState } from 'react';
import { ErrorBox, EmptyState, Loading, PageHeader } from '@/components/ui/Feedback';
import { SecretField } from '@/components/ui/SecretField';
import {
  createEndpoint,
  deleteEndpoint,
  listDeliveries,
  listEndpoints,
  replayDelivery,
  rotateSecret,
  setEndpointStatus,
  testEndpoint,
  type WebhookEndpoint,
} from '@/features/webhooks/api/webhooks';
import { errorMessage } from '@/lib/api-client';
import { formatDateTime } from '@/lib/format';
import { useAsync } from '@/lib/use-async';

const SECRET_WARNING = (
  <>
    <strong>Store this signing secret in your receiver now.</strong> It will not be shown again.
  </>
);

/** Webhook endpoints (credential admins): add with event types, test-send, disable, rotate, delivery log, replay. */
export function WebhooksPage() {
  const endpoints = useAsync((signal) => listEndpoints(signal), []);
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [secret, setSecret] = useState<string>();
  const [failure, setFailure] = useState<string>();
  const [open, setOpen] = useState<string>();

  const run = async (work: () => Promise<unknown>) => {
    setFailure(undefined);
    try {
      await work();
      endpoints.reload();
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const add = (e: React.FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const created = await createEndpoint({ url: url.trim(), eventTypes: types });
      setSecret(created.secret);
      setUrl('');
      setTypes([]);
    });
  };

  const offered = endpoints.data?.eventTypes ?? [];
  return (
    <section className="page" aria-labelledby="page-title">
      <PageHeader title="Webhooks">
        Your systems hear of credential events (created, rotated, revoked, expiring, leaked…) as signed HTTPS calls
        (Standard Webhooks). Deliveries are retried for days; receivers de-duplicate on the webhook-id header.
      </PageHeader>
      {secret && <SecretField label="Signing secret" secret={secret} noun="secret" warning={SECRET_WARNING} />}
      {failure && (
        <p className="alert alert--error" role="alert">
          {failure}
        </p>
      )}
      <form className="card" aria-label="Add an endpoint" onSubmit={add}>
        <label>
          Endpoint URL
          <input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://" />
        </label>
        <fieldset>
          <legend>Events</legend>
          {offered.map((t) => (
            <label key={t}>
              <input
                type="checkbox"
                checked={types.includes(t)}
                onChange={(e) => setTypes(e.target.checked ? [...types, t] : types.filter((x) => x !== t))}
              />{' '}
              {t}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="button button--primary" disabled={types.length === 0 || !url.trim()}>
          Add endpoint
        </button>
      </form>
      {endpoints.loading && !endpoints.data ? (
        <Loading label="Loading endpoints…" />
      ) : endpoints.error ? (
        <ErrorBox error={endpoints.error} onRetry={endpoints.reload} />
      ) : (endpoints.data?.items ?? []).length === 0 ? (
        <EmptyState title="No endpoints yet" icon="🔔">
          <p>Add the URL of a receiver and choose the events it should get.</p>
        </EmptyState>
      ) : (
        <ul className="webhooks" aria-label="Endpoints">
          {(endpoints.data?.items ?? []).map((ep) => (
            <li key={ep.id} className="card">
              <EndpointRow
                endpoint={ep}
                open={open === ep.id}
                onToggle={() => setOpen(open === ep.id ? undefined : ep.id)}
                run={run}
                onSecret={setSecret}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function EndpointRow({
  endpoint,
  open,
  onToggle,
  run,
  onSecret,
}: {
  endpoint: WebhookEndpoint;
  open: boolean;
  onToggle: () => void;
  run: (work: () => Promise<unknown>) => Promise<void>;
  onSecret: (secret: string) => void;
}) {
  const active = endpoint.status === 'ACTIVE';
  return (
    <>
      <p>
        <strong>{endpoint.url}</strong> —{' '}
        {active ? 'Active' : endpoint.disabledReason === 'FAILING' ? 'Disabled (failing for days)' : 'Disabled'}
        <br />
        <small>{endpoint.eventTypes.join(', ')}</small>
      </p>
      <div className="actions">
        <button type="button" className="button" onClick={() => void run(() => testEndpoint(endpoint.id))}>
          Send test event
        </button>
        <button
          type="button"
          className="button"
          onClick={() => void run(() => setEndpointStatus(endpoint.id, active ? 'DISABLED' : 'ACTIVE'))}
        >
          {active ? 'Disable' : 'Enable'}
        </button>
        <button
          type="button"
          className="button"
          onClick={() =>
            void run(async () => {
              const rotated = await rotateSecret(endpoint.id, 86400);
              onSecret(rotated.secret);
            })
          }
        >
          Rotate secret
        </button>
        <button type="button" className="button" aria-expanded={open} onClick={onToggle}>
          Delivery log
        </button>
        <button
          type="button"
          className="button button--danger"
          onClick={() => void run(() => deleteEndpoint(endpoint.id))}
        >
          Delete
        </button>
      </div>
      {open && <DeliveryLog endpointId={endpoint.id} run={run} />}
    </>
  );
}

function DeliveryLog({
  endpointId,
  run,
}: {
  endpointId: string;
  run: (work: () => Promise<unknown>) => Promise<void>;
}) {
  const log = useAsync((signal) => listDeliveries(endpointId, signal), [endpointId]);
  if (log.loading && !log.data) return <Loading label="Loading deliveries…" />;
  if (log.error) return <ErrorBox error={log.error} onRetry={log.reload} />;
  const items = log.data?.items ?? [];
  return (
    <div className="table-wrap">
      <table className="table">
        <caption>Deliveries</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Response</th>
            <th scope="col">Latency</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id}>
              <td>{d.eventType}</td>
              <td>{d.status}</td>
              <td>{d.attempts}</td>
              <td>{d.lastStatusCode ?? d.lastError ?? '—'}</td>
              <td>{d.lastLatencyMillis === undefined ? '—' : `${d.lastLatencyMillis} ms`}</td>
              <td>{formatDateTime(d.createdAt)}</td>
              <td>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() =>
                    void run(async () => {
                      await replayDelivery(endpointId, d.id);
                      log.reload();
                    })
                  }
                >
                  Replay
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
