import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Unmount first (a form saves its draft while mounted), then forget the drafts: each test starts with none.
afterEach(() => {
  cleanup();
  window.sessionStorage.clear();
});

// findBy*/waitFor give up after 1 s by default; lazy-loaded pages take longer than that on a loaded 2-core machine.
configure({ asyncUtilTimeout: 5000 });

// Browsers resolve a relative Request URL against the page; Node's Request (used under jsdom) does not.
// The client uses baseUrl '/', so resolve against jsdom's location as a browser would.
const NodeRequest = globalThis.Request;
globalThis.Request = class extends NodeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === 'string' ? new URL(input, window.location.href) : input, init);
  }
};
