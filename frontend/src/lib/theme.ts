/** The colour theme: the system's (default) or one the person chose, kept in this browser. */
export type Theme = 'system' | 'light' | 'dark';

const KEY = 'keysmith.theme';

export function storedTheme(): Theme {
  try {
    const t = window.localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

/** Sets <html data-theme> (absent for "system": the stylesheet then follows prefers-color-scheme). */
export function applyTheme(theme: Theme) {
  const root = document.documentElement;
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
}

export function saveTheme(theme: Theme) {
  try {
    if (theme === 'system') window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, theme);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
  applyTheme(theme);
}
