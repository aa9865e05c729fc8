import { render } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import type { Schemas } from '@/lib/api-client';
import { routes } from '@/app/router';

export type Recorded = { method: string; path: string; body: unknown; headers: Headers; search?: string };
type Handler = (req: Recorded) => Response | Promise<Response>;

export const problem = (status: number, detail: string, field?: string) =>
  new Response(
    JSON.stringify({
      type: 'https://keysmith.dev/problems/x',
      title: 'Problem',
      status,
      detail,
      ...(field ? { field } : {}),
    }),
    {
      status,
      headers: { 'content-type': 'application/problem+json' },
    },
  );

export const ALL_RIGHTS = Object.fromEntries(
  [
    'firstName',
    'lastName',
    'workEmail',
    'jobTitle',
    'department',
    'managerId',
    'hireDate',
    'employmentStatus',
    'location',
    'salary',
    'dateOfBirth',
    'nationalId',
    'homeAddress',
  ].map((f) => [f, 'EDIT']),
) as Schemas['FieldRights'];

export function makeMe(overrides: Partial<Schemas['Me']> = {}): Schemas['Me'] {
  return {
    user: {
      id: '00000000-0000-4000-8000-000000000001',
      email: 'ann@acme.test',
      firstName: 'Ann',
      lastName: 'Lee',
      kind: 'EMPLOYEE',
      accessLevel: { id: '00000000-0000-4000-8000-0000000000a1', name: 'Account Owner', builtin: 'ACCOUNT_OWNER' },
      status: 'ACTIVE',
      hasPassword: true,
      createdAt: '2025-01-01T00:00:00Z',
    },
    organization: { id: '00000000-0000-4000-8000-0000000000b1', name: 'Acme' },
    permissions: [
      'people:read',
      'people:create',
      'people:update',
      'people:delete',
      'keys:create-own',
      'keys:manage-all',
      'users:read',
      'users:manage',
      'audit:read',
    ],
    recordScope: 'ALL',
    fieldRights: ALL_RIGHTS,
    csrfToken: 'csrf-123',
    ...overrides,
  };
}

export const CATALOG: Schemas['PermissionCatalog'] = {
  groups: [
    {
      resource: 'people',
      title: 'People records',
      permissions: [
        { name: 'people:read', title: 'View people records' },
        { name: 'people:create', title: 'Add people records' },
        { name: 'people:update', title: 'Change people records' },
        { name: 'people:delete', title: 'Delete people records' },
      ],
    },
    { resource: 'audit', title: 'Audit log', permissions: [{ name: 'audit:read', title: 'View the audit log' }] },
  ],
  fields: [
    { name: 'firstName', title: 'First name', sensitive: false },
    { name: 'lastName', title: 'Last name', sensitive: false },
    { name: 'salary', title: 'Salary', sensitive: true },
  ],
};

export const API_TYPES: Schemas['ApiType'][] = [
  {
    name: 'PEOPLE',
    title: 'People API',
    tags: ['People'],
    defaultRateLimitPerMinute: 600,
    permissions: ['people:create', 'people:delete', 'people:read', 'people:update'],
  },
  {
    name: 'AUDIT',
    title: 'Audit Log API',
    tags: ['Audit'],
    defaultRateLimitPerMinute: 120,
    permissions: ['audit:read'],
  },
];

export const PARTNERS: Schemas['Partner'][] = [
  {
    id: '00000000-0000-4000-8000-0000000000c1',
    name: 'Payroll provider',
    platformWide: true,
    usualPermissions: ['people:read'],
    usualFieldRights: { firstName: 'VIEW', lastName: 'VIEW', salary: 'VIEW' },
  },
];

export function apiKey(overrides: Partial<Schemas['ApiKey']> = {}): Schemas['ApiKey'] {
  return {
    id: '00000000-0000-4000-8000-0000000000d1',
    name: 'Payroll sync',
    description: '',
    apiType: 'PEOPLE',
    owner: { id: '00000000-0000-4000-8000-000000000001', name: 'Ann Lee' },
    createdBy: '00000000-0000-4000-8000-000000000001',
    createdAt: '2025-01-01T00:00:00Z',
    status: 'ACTIVE',
    hint: 'ksk_AbCd',
    permissionMode: 'SCOPED',
    permissions: [],
    fieldRights: {},
    ipAllowlist: [],
    ...overrides,
  };
}

/** Stubs fetch with handlers keyed by "METHOD /path"; records every call. Unknown calls answer 404. */
export function mockApi(handlers: Record<string, Handler>) {
  const calls: Recorded[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const url = new URL(input.url);
      const text = input.method === 'GET' ? '' : await input.text();
      const rec: Recorded = {
        method: input.method,
        path: url.pathname,
        body: text ? JSON.parse(text) : undefined,
        headers: input.headers,
        search: url.search,
      };
      calls.push(rec);
      const handler = handlers[`${input.method} ${url.pathname}`];
      if (handler) return handler(rec);
      if (url.pathname === '/health/ready') return Response.json({ status: 'UP', database: 'UP' });
      return problem(404, `no mock for ${input.method} ${url.pathname}`);
    }),
  );
  return calls;
}

/** The default answers of a signed-in session with the wizard's lookups. */
export function signedInHandlers(me = makeMe()): Record<string, Handler> {
  return {
    'GET /api/v1/me': () => Response.json(me),
    'GET /api/v1/api-types': () => Response.json({ items: API_TYPES }),
    'GET /api/v1/partners': () => Response.json({ items: PARTNERS }),
    'GET /api/v1/permissions': () => Response.json(CATALOG),
    'GET /api/v1/organization/policies': () => Response.json({ expiryRequired: false, allowedIpRanges: [] }),
    'GET /api/v1/api-keys': () => Response.json({ items: [] }),
  };
}

export function renderApp(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  return { router, ...render(<RouterProvider router={router} />) };
}
