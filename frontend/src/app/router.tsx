import { lazy, Suspense } from 'react';
import { Outlet, type RouteObject } from 'react-router';
import { Shell } from '@/app/layout/Shell';
import { RequireSession } from '@/app/RequireSession';
import { Home } from '@/app/routes/Home';
import { NotFound } from '@/app/routes/NotFound';
import { AccessLevelEditorPage } from '@/features/access-levels/routes/AccessLevelEditorPage';
import { AccessLevelsPage } from '@/features/access-levels/routes/AccessLevelsPage';
import { ApiKeysPage } from '@/features/api-keys/routes/ApiKeysPage';
import { EditApiKeyPage } from '@/features/api-keys/routes/EditApiKeyPage';
import { NewApiKeyPage } from '@/features/api-keys/routes/NewApiKeyPage';
import { ApiManagementPage } from '@/features/api-management/routes/ApiManagementPage';
import { AuditPage } from '@/features/audit/routes/AuditPage';
import { ConfirmSignUpPage } from '@/features/auth/routes/ConfirmSignUpPage';
import { AcceptInvitationPage } from '@/features/auth/routes/AcceptInvitationPage';
import { SignInPage } from '@/features/auth/routes/SignInPage';
import { SignUpPage } from '@/features/auth/routes/SignUpPage';
import { PartnersPage } from '@/features/partners/routes/PartnersPage';
import { PeoplePage } from '@/features/people/routes/PeoplePage';
import { PoliciesPage } from '@/features/policies/routes/PoliciesPage';
import { UsersPage } from '@/features/users/routes/UsersPage';
import { NotificationsPage } from '@/features/notifications/routes/NotificationsPage';
import { WebhooksPage } from '@/features/webhooks/routes/WebhooksPage';
import { Loading } from '@/components/ui/Feedback';
import { SessionProvider } from '@/lib/auth';

// The usage pages carry the chart library: loaded on first visit, kept out of the initial bundle.
const UsagePage = lazy(() => import('@/features/usage/routes/UsagePage').then((m) => ({ default: m.UsagePage })));
const KeyUsagePage = lazy(() =>
  import('@/features/usage/routes/KeyUsagePage').then((m) => ({ default: m.KeyUsagePage })),
);
const LeastPrivilegePage = lazy(() =>
  import('@/features/usage/routes/LeastPrivilegePage').then((m) => ({ default: m.LeastPrivilegePage })),
);
const withSuspense = (element: React.ReactNode) => <Suspense fallback={<Loading />}>{element}</Suspense>;

function Root() {
  return (
    <SessionProvider>
      <Outlet />
    </SessionProvider>
  );
}

/** Sign-in and sign-up stand alone; every other route needs a session and renders inside the shell. */
export const routes: RouteObject[] = [
  {
    element: <Root />,
    children: [
      { path: 'sign-in', element: <SignInPage /> },
      { path: 'sign-up', element: <SignUpPage /> },
      { path: 'accept-invitation', element: <AcceptInvitationPage /> },
      { path: 'confirm-sign-up', element: <ConfirmSignUpPage /> },
      {
        element: (
          <RequireSession>
            <Shell />
          </RequireSession>
        ),
        children: [
          { index: true, element: <Home /> },
          { path: 'api-keys', element: <ApiKeysPage /> },
          { path: 'api-keys/new', element: <NewApiKeyPage /> },
          { path: 'api-keys/:keyId/edit', element: <EditApiKeyPage /> },
          { path: 'api-keys/:keyId/usage', element: withSuspense(<KeyUsagePage />) },
          { path: 'usage', element: withSuspense(<UsagePage />) },
          { path: 'least-privilege', element: withSuspense(<LeastPrivilegePage />) },
          { path: 'partners', element: <PartnersPage /> },
          { path: 'people', element: <PeoplePage /> },
          { path: 'users', element: <UsersPage /> },
          { path: 'audit', element: <AuditPage /> },
          { path: 'settings/api-management', element: <ApiManagementPage /> },
          { path: 'settings/access-levels', element: <AccessLevelsPage /> },
          { path: 'settings/access-levels/new', element: <AccessLevelEditorPage /> },
          { path: 'settings/access-levels/:accessLevelId', element: <AccessLevelEditorPage /> },
          { path: 'settings/policies', element: <PoliciesPage /> },
          { path: 'settings/webhooks', element: <WebhooksPage /> },
          { path: 'notifications', element: <NotificationsPage /> },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
];
