import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '@/lib/api-client';
import { setStepUpPrompt, STEP_UP_TYPE } from '@/lib/step-up';

const stepUpRequired = () =>
  new Response(
    JSON.stringify({ type: STEP_UP_TYPE, title: 'Fresh authentication required', status: 403, detail: 'Confirm' }),
    { status: 403, headers: { 'content-type': 'application/problem+json' } },
  );

const created = () =>
  new Response(JSON.stringify({ secret: 'ksk_EXAMPLE', key: { id: 'k1' } }), {
    status: 201,
    headers: { 'content-type': 'application/json' },
  });

const body = { name: 'Payroll', apiType: 'PEOPLE', permissionMode: 'SCOPED' as const, permissions: [] };

describe('step-up refusals', () => {
  afterEach(() => {
    setStepUpPrompt(undefined);
    vi.unstubAllGlobals();
  });

  it('ask the prompt, then send the same request again once the person confirmed', async () => {
    const seen: string[] = [];
    vi.stubGlobal('fetch', async (req: Request) => {
      seen.push(`${req.method} ${new URL(req.url).pathname} ${await req.text()}`);
      return seen.length === 1 ? stepUpRequired() : created();
    });
    const prompt = vi.fn(() => Promise.resolve(true));
    setStepUpPrompt(prompt);
    const result = await api.POST('/api/v1/api-keys', { body });
    expect(prompt).toHaveBeenCalledWith('Confirm');
    expect(result.response.status).toBe(201);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0]);
  });

  it('leave the refusal as it is when the person cancels, or no prompt is mounted', async () => {
    let calls = 0;
    vi.stubGlobal('fetch', () => {
      calls++;
      return Promise.resolve(stepUpRequired());
    });
    setStepUpPrompt(() => Promise.resolve(false));
    expect((await api.POST('/api/v1/api-keys', { body })).response.status).toBe(403);
    setStepUpPrompt(undefined);
    expect((await api.POST('/api/v1/api-keys', { body })).response.status).toBe(403);
    expect(calls).toBe(2);
  });
});
