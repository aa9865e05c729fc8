import { createRoot } from 'react-dom/client';
import { App } from '@/app/App';
import { applyTheme, storedTheme } from '@/lib/theme';
import '@/index.css';

// Pages are chunks named by their hash: after a deployment a page left open asks for chunks that no longer exist.
// Reload once to get the new index (at most once a minute, so a chunk that is really missing cannot loop).
window.addEventListener('vite:preloadError', (event) => {
  const last = Number(window.sessionStorage.getItem('keysmith.chunk-reload') ?? 0);
  if (Date.now() - last > 60_000) {
    window.sessionStorage.setItem('keysmith.chunk-reload', String(Date.now()));
    event.preventDefault();
    window.location.reload();
  }
});

applyTheme(storedTheme());
createRoot(document.getElementById('root')!).render(<App />);
