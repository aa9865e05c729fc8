import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from '@/api/schema';
import { humanizeMessage } from '@/lib/messages';
import { askToStepUp, STEP_UP_TYPE } from '@/lib/step-up';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];

/**
 * The one typed client; its types are generated from ../openapi.yaml at build time, never written by hand.
 * `fetch` is looked up on every call (not captured once) so tests can stub it.
 */
export const api = createClient<paths>({
  baseUrl: '/',
  fetch: (request) => globalThis.fetch(request),
});

let csrfToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

/** The session's CSRF token (from /api/v1/me); sent as X-CSRF-Token on every state-changing request. */
export function setCsrfToken(token: string | undefined) {
  csrfToken = token;
}

/** Called when a call made with the session answers 401 (the session ended). */
export function setUnauthorizedHandler(handler: (() => void) | undefined) {
  onUnauthorized = handler;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// A 401 from these means "wrong credentials" or "not signed in yet", not "your session ended".
const NO_SESSION_PATHS = [
  '/api/v1/session',
  '/api/v1/session/second-factor',
  '/api/v1/signup',
  '/api/v1/signup/confirm',
  '/api/v1/invitations/accept',
  '/api/v1/me',
  '/api/v1/sso/start',
  '/api/v1/sso/callback',
];

// A copy of each state-changing request, kept until its answer: a step-up refusal sends the same request again.
const replays = new WeakMap<Request, Request>();

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !SAFE_METHODS.has(request.method)) request.headers.set('X-CSRF-Token', csrfToken);
    if (!SAFE_METHODS.has(request.method)) replays.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status === 401 && onUnauthorized) {
      const path = new URL(request.url, window.location.href).pathname;
      if (!NO_SESSION_PATHS.includes(path)) onUnauthorized();
    }
    const replay = replays.get(request);
    replays.delete(request);
    if (response.status === 403 && replay) {
      const problem = (await response
        .clone()
        .json()
        .catch(() => undefined)) as Problem | undefined;
      if (problem?.type === STEP_UP_TYPE && (await askToStepUp(problem.detail))) {
        return globalThis.fetch(replay);
      }
    }
    return response;
  },
};
api.use(sessionMiddleware);

/** An error answer of the API, carrying its problem+json body. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
  }

  /** The top-level request field the problem names ("ipAllowlist.0" and "/ipAllowlist/0" both give "ipAllowlist"). */
  get field(): string | undefined {
    const raw = this.problem.field;
    if (!raw) return undefined;
    return raw.replace(/^\//, '').split(/[./]/)[0] || undefined;
  }
}

/** Turns anything an openapi-fetch call may give back as `error` into an ApiError. */
export function toApiError(error: unknown, response?: Response): ApiError {
  if (error instanceof ApiError) return error;
  if (error && typeof error === 'object' && 'title' in error && 'status' in error) {
    return new ApiError(error as Problem);
  }
  const status = response?.status ?? 0;
  return new ApiError({
    type: 'about:blank',
    title: status ? `The server answered ${status}` : 'The server could not be reached',
    status,
  });
}

/** Returns `data` of an openapi-fetch result, or throws an ApiError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw toApiError(result.error, result.response);
  return result.data as T;
}

/** A message for any error thrown by a call, in words a person reads (lib/messages). */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return humanizeMessage(error.problem.detail ?? error.problem.title);
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}

/**
 * The thing asked for does not exist: a 404, or an id in the address that cannot be one ("Parameter 'keyId' is not
 * a valid uuid"): both mean a wrong or stale link, which no retry fixes.
 */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  const { status, detail } = error.problem;
  return status === 404 || (status === 400 && /^Parameter '\w*Id' is not a valid uuid/i.test(detail ?? ''));
}
