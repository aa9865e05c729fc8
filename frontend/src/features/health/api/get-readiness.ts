import { api } from '@/lib/api-client';

export type DatabaseState = 'up' | 'down';

/** Asks GET /health/ready whether the server can reach its database; any failure counts as down. */
export async function getDatabaseState(signal?: AbortSignal): Promise<DatabaseState> {
  try {
    const { data } = await api.GET('/health/ready', { signal });
    return data?.database === 'UP' ? 'up' : 'down';
  } catch {
    return 'down';
  }
}
