import { Outlet, type RouteObject } from 'react-router';
import { Shell } from '@/app/layout/Shell';
import { RequireSession } from '@/app/RequireSession';
import { Home } from '@/app/routes/Home';
import { NotFound } from '@/app/routes/NotFound';
import { AccessLevelsPage } from '@/features/access-levels/routes/AccessLevelsPage';
import { ApiKeysPage } from '@/features/api-keys/routes/ApiKeysPage';
import { NewApiKeyPage } from '@/features/api-keys/routes/NewApiKeyPage';
import { ApiManagementPage } from '@/features/api-management/routes/ApiManagementPage';
import { AuditPage } from '@/features/audit/routes/AuditPage';
import { AcceptInvitationPage } from '@/features/auth/routes/AcceptInvitationPage';
import { SignInPage } from '@/features/auth/routes/SignInPage';
import { SignUpPage } from '@/features/auth/routes/SignUpPage';
import { PeoplePage } from '@/features/people/routes/PeoplePage';
import { UsersPage } from '@/features/users/routes/UsersPage';
import { SessionProvider } from '@/lib/auth';

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
          { path: 'people', element: <PeoplePage /> },
          { path: 'users', element: <UsersPage /> },
          { path: 'audit', element: <AuditPage /> },
          { path: 'settings/api-management', element: <ApiManagementPage /> },
          { path: 'settings/access-levels', element: <AccessLevelsPage /> },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
];
