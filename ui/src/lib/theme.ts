import type { Theme } from '../ipc';

const DARK = '(prefers-color-scheme: dark)';
let chosen: Theme = 'system';
let watching = false;

/** Light or dark, as `theme` says, or as the system does for `system`. */
export function effectiveTheme(theme: Theme, systemDark: boolean): 'light' | 'dark' {
  if (theme === 'system') {
    return systemDark ? 'dark' : 'light';
  }
  return theme;
}

/**
 * Paints the window as `theme` says (`data-theme` on the root, which app.css reads), following
 * the system's changes while it is `system`.
 */
export function applyTheme(theme: Theme): void {
  chosen = theme;
  const media = typeof window.matchMedia === 'function' ? window.matchMedia(DARK) : null;
  document.documentElement.dataset.theme = effectiveTheme(theme, media?.matches ?? false);
  if (media !== null && !watching) {
    watching = true;
    media.addEventListener('change', (event) => {
      document.documentElement.dataset.theme = effectiveTheme(chosen, event.matches);
    });
  }
}
