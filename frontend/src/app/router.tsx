import { Route, Routes } from 'react-router';
import { Shell } from '@/app/layout/Shell';
import { Home } from '@/app/routes/Home';
import { NotFound } from '@/app/routes/NotFound';
import { ApiKeysPage } from '@/features/api-keys/routes/ApiKeysPage';
import { ApiManagementPage } from '@/features/api-management/routes/ApiManagementPage';
import { PeoplePage } from '@/features/people/routes/PeoplePage';

/** Every client route renders inside the shell; unknown ones get the not-found page. */
export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Shell />}>
        <Route index element={<Home />} />
        <Route path="api-keys" element={<ApiKeysPage />} />
        <Route path="people" element={<PeoplePage />} />
        <Route path="settings/api-management" element={<ApiManagementPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
