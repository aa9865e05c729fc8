/**
 * The Keysmith API client for partners: typed from openapi.yaml (openapi-typescript), calls made with openapi-fetch.
 * A key goes in the Authorization header only, as a Bearer token or as the HTTP Basic user name; never in a URL.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths } from "./schema.js";
export type Schemas = components["schemas"];
export type Person = Schemas["Person"];
export type PersonPage = Schemas["PersonPage"];
export type Problem = Schemas["Problem"];

export type KeysmithClient = Client<paths>;

export interface KeyOptions {
  /** Your installation's base URL, e.g. https://keysmith.your-company.com (the contract's server is an example). */
  baseUrl: string;
  /** The API key (shown once when it was created). */
  key: string;
  /** How the key is sent: "bearer" (default) or "basic" (the key as the HTTP Basic user name). */
  scheme?: "bearer" | "basic";
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof globalThis.fetch;
}

/** A client that authenticates every request with an API key. */
export function keyClient(options: KeyOptions): KeysmithClient {
  const authorization =
    options.scheme === "basic"
      ? `Basic ${Buffer.from(`${options.key}:`, "utf8").toString("base64")}`
      : `Bearer ${options.key}`;
  return createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { Authorization: authorization },
    fetch: options.fetch,
  });
}

/** A client with no credentials; add your own middleware (e.g. the admin SPA's session cookie and CSRF token). */
export function plainClient(baseUrl: string, ...middleware: Middleware[]): KeysmithClient {
  const client = createClient<paths>({ baseUrl });
  middleware.forEach((m) => client.use(m));
  return client;
}

/**
 * Every page of a cursor-paged list: calls `page(after)` until an answer has no `next`. At most `maxPages` pages, so
 * a server that kept answering `next` could not loop a partner forever.
 */
export async function* allPages<T>(
  page: (after: string | undefined) => Promise<{ items: T[]; next?: string }>,
  maxPages = 10_000,
): AsyncGenerator<T> {
  let after: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const { items, next } = await page(after);
    yield* items;
    if (!next) return;
    after = next;
  }
  throw new Error(`more than ${maxPages} pages`);
}
