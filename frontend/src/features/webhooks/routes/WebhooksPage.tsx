import { useEffect, useState } from 'react';
import { ErrorBox, EmptyState, Loading, PageHeader } from '@/components/ui/Feedback';
import { ConfirmModal } from '@/components/ui/Modal';
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
  type WebhookDelivery,
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
  const [deleting, setDeleting] = useState(false);
  const [test, setTest] = useState<TestSend>();
  const sendTest = () =>
    void run(async () => {
      setTest({ state: 'sending' });
      try {
        const queued = await testEndpoint(endpoint.id);
        setTest({ state: 'waiting', delivery: queued });
      } catch (e) {
        setTest(undefined);
        throw e;
      }
    });
  return (
    <>
      <p>
        <strong>{endpoint.url}</strong> —{' '}
        {active ? 'Active' : endpoint.disabledReason === 'FAILING' ? 'Disabled (failing for days)' : 'Disabled'}
        <br />
        <small>{endpoint.eventTypes.join(', ')}</small>
      </p>
      <div className="actions">
        <button type="button" className="button" disabled={test?.state === 'sending'} onClick={sendTest}>
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
        <button type="button" className="button button--danger" onClick={() => setDeleting(true)}>
          Delete
        </button>
      </div>
      {test && <TestResult endpointId={endpoint.id} test={test} onDone={setTest} />}
      {open && <DeliveryLog endpointId={endpoint.id} run={run} />}
      {deleting && (
        <DeleteEndpoint
          endpoint={endpoint}
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            // a refusal shows on the page like every other one
            await run(() => deleteEndpoint(endpoint.id));
            setDeleting(false);
          }}
        />
      )}
    </>
  );
}

type TestSend =
  { state: 'sending' } | { state: 'waiting'; delivery: WebhookDelivery } | { state: 'done'; delivery: WebhookDelivery };

/** How often, and how long, the page looks for the test delivery's first attempt. */
const TEST_POLL_MILLIS = 1000;
const TEST_POLL_TRIES = 30;

/** The outcome of a test send: its first attempt's status code and latency, or its error, once the worker made it. */
function TestResult({
  endpointId,
  test,
  onDone,
}: {
  endpointId: string;
  test: TestSend;
  onDone: (t: TestSend) => void;
}) {
  const waitingFor = test.state === 'waiting' ? test.delivery.id : undefined;
  // the delivery this gave up waiting for (a later test send waits afresh)
  const [gaveUpOn, setGaveUpOn] = useState<string>();
  const gaveUp = waitingFor !== undefined && gaveUpOn === waitingFor;
  useEffect(() => {
    if (!waitingFor) return;
    const controller = new AbortController();
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = async () => {
      tries += 1;
      try {
        const found = (await listDeliveries(endpointId, controller.signal)).items.find((d) => d.id === waitingFor);
        if (found && attempted(found)) {
          onDone({ state: 'done', delivery: found });
          return;
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      if (tries >= TEST_POLL_TRIES) setGaveUpOn(waitingFor);
      else timer = setTimeout(() => void look(), TEST_POLL_MILLIS);
    };
    void look();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [endpointId, waitingFor, onDone]);

  let text: string;
  let tone = 'alert--info';
  if (test.state === 'sending') text = 'Sending a test event…';
  else if (test.state === 'waiting')
    text = gaveUp
      ? 'The test event is queued but was not attempted yet (is the endpoint disabled?). See the delivery log.'
      : 'Test event queued; waiting for the receiver’s answer…';
  else {
    const d = test.delivery;
    const latency = d.lastLatencyMillis === undefined ? '' : ` in ${d.lastLatencyMillis} ms`;
    if (d.status === 'DELIVERED') {
      text = `Test event delivered: HTTP ${d.lastStatusCode ?? '2xx'}${latency}.`;
      tone = 'alert--success';
    } else {
      const answer = d.lastStatusCode === undefined ? '' : `HTTP ${d.lastStatusCode}${latency}: `;
      text = `Test event failed: ${answer}${d.lastError ?? 'no answer'}.${d.status === 'PENDING' ? ' It will be retried.' : ''}`;
      tone = 'alert--error';
    }
  }
  return (
    <p className={`alert ${tone}`} role="status" aria-label="Test event result">
      {text}
    </p>
  );
}

/** The worker has made (at least) the first attempt: a final status, or an answer or error recorded. */
function attempted(d: WebhookDelivery) {
  return d.status !== 'PENDING' || d.lastStatusCode !== undefined || d.lastError !== undefined;
}

function DeleteEndpoint({
  endpoint,
  onClose,
  onConfirm,
}: {
  endpoint: WebhookEndpoint;
  onClose: () => void;
  onConfirm: () => Promise<void>;
}) {
  return (
    <ConfirmModal
      title="Delete this endpoint?"
      onClose={onClose}
      onConfirm={onConfirm}
      confirmLabel="Delete endpoint"
      busyLabel="Deleting…"
    >
      <p>
        <strong>{endpoint.url}</strong> gets no more events. Deliveries still queued for it and its delivery log are
        deleted, and its signing secret stops being used. This cannot be undone.
      </p>
    </ConfirmModal>
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
