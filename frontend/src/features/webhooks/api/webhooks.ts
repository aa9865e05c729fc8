import { api, unwrap, type Schemas } from '@/lib/api-client';

export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookDelivery = Schemas['WebhookDelivery'];

const endpointPath = '/api/v1/webhook-endpoints/{endpointId}' as const;

export async function listEndpoints(signal?: AbortSignal) {
  return unwrap(await api.GET('/api/v1/webhook-endpoints', { signal }));
}

export async function createEndpoint(body: Schemas['WebhookEndpointWrite']) {
  return unwrap(await api.POST('/api/v1/webhook-endpoints', { body }));
}

export async function setEndpointStatus(endpointId: string, status: 'ACTIVE' | 'DISABLED') {
  return unwrap(await api.PATCH(endpointPath, { params: { path: { endpointId } }, body: { status } }));
}

export async function deleteEndpoint(endpointId: string) {
  const r = await api.DELETE(endpointPath, { params: { path: { endpointId } } });
  if (r.error) unwrap(r);
}

export async function rotateSecret(endpointId: string, overlapSeconds: number) {
  return unwrap(
    await api.POST('/api/v1/webhook-endpoints/{endpointId}/rotate-secret', {
      params: { path: { endpointId } },
      body: { overlapSeconds },
    }),
  );
}

export async function testEndpoint(endpointId: string) {
  return unwrap(await api.POST('/api/v1/webhook-endpoints/{endpointId}/test', { params: { path: { endpointId } } }));
}

export async function listDeliveries(endpointId: string, signal?: AbortSignal) {
  return unwrap(
    await api.GET('/api/v1/webhook-endpoints/{endpointId}/deliveries', { params: { path: { endpointId } }, signal }),
  );
}

export async function replayDelivery(endpointId: string, deliveryId: string) {
  return unwrap(
    await api.POST('/api/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/replay', {
      params: { path: { endpointId, deliveryId } },
    }),
  );
}
