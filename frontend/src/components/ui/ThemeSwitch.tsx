import { useId, useState } from 'react';
import { saveTheme, storedTheme, type Theme } from '@/lib/theme';

/** Light, dark, or as the system says; remembered in this browser. */
export function ThemeSwitch() {
  const id = useId();
  const [theme, setTheme] = useState<Theme>(storedTheme);
  return (
    <div className="theme-switch">
      <label htmlFor={id}>Theme</label>
      <select
        id={id}
        value={theme}
        onChange={(e) => {
          const t = e.target.value as Theme;
          setTheme(t);
          saveTheme(t);
        }}
      >
        <option value="system">As the system</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </div>
  );
}
