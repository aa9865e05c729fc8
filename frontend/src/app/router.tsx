import { Outlet, type RouteObject } from 'react-router';
import { Shell } from '@/app/layout/Shell';
import { RequireSession } from '@/app/RequireSession';
import { Home } from '@/app/routes/Home';
import { NotFound } from '@/app/routes/NotFound';
import { SignInPage } from '@/features/auth/routes/SignInPage';
import { StepUpDialog } from '@/features/auth/components/StepUpDialog';
import { SessionProvider } from '@/lib/auth';

/**
 * Every page but sign-in and home is its own chunk, fetched when first visited (the router waits for it before it
 * leaves the current page, so no spinner flashes): the first load carries the shell, not every feature.
 */
function page<M extends Record<string, unknown>>(load: () => Promise<M>, name: keyof M & string) {
  return async () => ({ Component: (await load())[name] as React.ComponentType });
}

function Root() {
  return (
    <SessionProvider>
      <Outlet />
      <StepUpDialog />
    </SessionProvider>
  );
}

/** Sign-in and sign-up stand alone; every other route needs a session and renders inside the shell. */
export const routes: RouteObject[] = [
  {
    element: <Root />,
    children: [
      { path: 'sign-in', element: <SignInPage /> },
      { path: 'sign-up', lazy: page(() => import('@/features/auth/routes/SignUpPage'), 'SignUpPage') },
      {
        path: 'accept-invitation',
        lazy: page(() => import('@/features/auth/routes/AcceptInvitationPage'), 'AcceptInvitationPage'),
      },
      {
        path: 'confirm-sign-up',
        lazy: page(() => import('@/features/auth/routes/ConfirmSignUpPage'), 'ConfirmSignUpPage'),
      },
      // a partner's one-time hand-off link: no account, no shell
      {
        path: 'handoff/:handoffId',
        lazy: page(() => import('@/features/handoff/routes/RevealHandoffPage'), 'RevealHandoffPage'),
      },
      { path: 'sso/callback', lazy: page(() => import('@/features/auth/routes/SsoCallbackPage'), 'SsoCallbackPage') },
      {
        element: (
          <RequireSession>
            <Shell />
          </RequireSession>
        ),
        children: [
          { index: true, element: <Home /> },
          { path: 'api-keys', lazy: page(() => import('@/features/api-keys/routes/ApiKeysPage'), 'ApiKeysPage') },
          {
            path: 'api-keys/new',
            lazy: page(() => import('@/features/api-keys/routes/NewApiKeyPage'), 'NewApiKeyPage'),
          },
          {
            path: 'api-keys/:keyId/edit',
            lazy: page(() => import('@/features/api-keys/routes/EditApiKeyPage'), 'EditApiKeyPage'),
          },
          {
            path: 'api-keys/:keyId/usage',
            lazy: page(() => import('@/features/usage/routes/KeyUsagePage'), 'KeyUsagePage'),
          },
          { path: 'usage', lazy: page(() => import('@/features/usage/routes/UsagePage'), 'UsagePage') },
          {
            path: 'least-privilege',
            lazy: page(() => import('@/features/usage/routes/LeastPrivilegePage'), 'LeastPrivilegePage'),
          },
          { path: 'partners', lazy: page(() => import('@/features/partners/routes/PartnersPage'), 'PartnersPage') },
          { path: 'people', lazy: page(() => import('@/features/people/routes/PeoplePage'), 'PeoplePage') },
          { path: 'users', lazy: page(() => import('@/features/users/routes/UsersPage'), 'UsersPage') },
          { path: 'audit', lazy: page(() => import('@/features/audit/routes/AuditPage'), 'AuditPage') },
          {
            path: 'settings/api-management',
            lazy: page(() => import('@/features/api-management/routes/ApiManagementPage'), 'ApiManagementPage'),
          },
          {
            path: 'settings/approvals',
            lazy: page(() => import('@/features/approvals/routes/ApprovalsPage'), 'ApprovalsPage'),
          },
          {
            path: 'settings/access-levels',
            lazy: page(() => import('@/features/access-levels/routes/AccessLevelsPage'), 'AccessLevelsPage'),
          },
          {
            path: 'settings/access-levels/new',
            lazy: page(() => import('@/features/access-levels/routes/AccessLevelEditorPage'), 'AccessLevelEditorPage'),
          },
          {
            path: 'settings/access-levels/:accessLevelId',
            lazy: page(() => import('@/features/access-levels/routes/AccessLevelEditorPage'), 'AccessLevelEditorPage'),
          },
          {
            path: 'settings/policies',
            lazy: page(() => import('@/features/policies/routes/PoliciesPage'), 'PoliciesPage'),
          },
          {
            path: 'settings/webhooks',
            lazy: page(() => import('@/features/webhooks/routes/WebhooksPage'), 'WebhooksPage'),
          },
          {
            path: 'notifications',
            lazy: page(() => import('@/features/notifications/routes/NotificationsPage'), 'NotificationsPage'),
          },
          { path: 'security', lazy: page(() => import('@/features/auth/routes/SecurityPage'), 'SecurityPage') },
          {
            path: 'settings/sso',
            lazy: page(() => import('@/features/sso/routes/SsoSettingsPage'), 'SsoSettingsPage'),
          },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
];
