import type { components } from '../src/api/schema';

export type Schemas = components['schemas'];

type HasJson = { json(): Promise<unknown> };

/** A response's JSON body as the contract's schema types it (the specs assert on it, so a wrong type shows there). */
export async function json<T>(response: HasJson | Promise<HasJson>): Promise<T> {
  return (await (await response).json()) as T;
}
