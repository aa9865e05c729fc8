import { StrictMode, type ReactNode } from 'react';

/** App-wide providers (query cache, auth session, …) will be added here. */
export function AppProvider({ children }: { children: ReactNode }) {
  return <StrictMode>{children}</StrictMode>;
}
