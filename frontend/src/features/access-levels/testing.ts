import type { Schemas } from '@/lib/api-client';
import { makeMe, signedInHandlers } from '@/testing/mock-api';

/** Fixtures for the access-level tests: the full catalog shape the server answers, and a built-in and a custom level. */
export const FIELD_NAMES = ['firstName', 'lastName', 'workEmail', 'salary', 'nationalId'] as const;

export const EDITOR_CATALOG: Schemas['PermissionCatalog'] = {
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
    {
      resource: 'users',
      title: 'Users',
      permissions: [
        { name: 'users:read', title: 'View users' },
        { name: 'users:manage', title: 'Add, change and deactivate users' },
      ],
    },
    { resource: 'audit', title: 'Audit log', permissions: [{ name: 'audit:read', title: 'View the audit log' }] },
    {
      resource: 'keys',
      title: 'Developer',
      permissions: [
        { name: 'keys:create-own', title: 'Create own API keys' },
        { name: 'keys:manage-all', title: 'Manage ALL organization API credentials' },
      ],
    },
  ],
  fields: [
    { name: 'firstName', title: 'First name', sensitive: false },
    { name: 'lastName', title: 'Last name', sensitive: false },
    { name: 'workEmail', title: 'Work email', sensitive: false },
    { name: 'salary', title: 'Salary', sensitive: true },
    { name: 'nationalId', title: 'National ID', sensitive: true },
  ],
};

export const OWNER_PERMISSIONS = [
  'people:read',
  'people:create',
  'people:update',
  'people:delete',
  'users:read',
  'users:manage',
  'audit:read',
  'keys:create-own',
  'keys:manage-all',
  'access-levels:read',
  'access-levels:manage',
];

export const BUILTIN_ID = '00000000-0000-4000-8000-0000000000e1';
export const CUSTOM_ID = '00000000-0000-4000-8000-0000000000e2';

export function level(overrides: Partial<Schemas['AccessLevel']> = {}): Schemas['AccessLevel'] {
  return {
    id: CUSTOM_ID,
    name: 'Payroll integration',
    description: 'Reads pay data',
    recordScope: 'ALL',
    fieldRights: { firstName: 'VIEW', lastName: 'VIEW', salary: 'VIEW' },
    permissions: ['people:read'],
    editable: true,
    userCount: 0,
    ...overrides,
  };
}

export const BUILTIN = level({
  id: BUILTIN_ID,
  name: 'Employee',
  description: 'Own record',
  builtin: 'EMPLOYEE',
  recordScope: 'OWN',
  fieldRights: { firstName: 'VIEW' },
  permissions: ['keys:create-own'],
  editable: false,
  userCount: 3,
});

/** A signed-in owner (or whoever `me` is) with the access-level endpoints answering from the fixtures. */
export function editorHandlers(me = makeMe({ permissions: OWNER_PERMISSIONS })) {
  return {
    ...signedInHandlers(me),
    'GET /api/v1/permissions': () => Response.json(EDITOR_CATALOG),
    'GET /api/v1/access-levels': () => Response.json({ items: [BUILTIN, level()] }),
    [`GET /api/v1/access-levels/${BUILTIN_ID}`]: () => Response.json(BUILTIN),
    [`GET /api/v1/access-levels/${CUSTOM_ID}`]: () => Response.json(level()),
  };
}
