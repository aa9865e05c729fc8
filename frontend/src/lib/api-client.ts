import createClient from 'openapi-fetch';
import type { paths } from '@/api/schema';

/**
 * The one typed client; its types are generated from ../openapi.yaml at build time, never written by hand.
 * `fetch` is looked up on every call (not captured once) so tests can stub it.
 */
export const api = createClient<paths>({
  baseUrl: '/',
  fetch: (request) => globalThis.fetch(request),
});
