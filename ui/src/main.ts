import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { applyLanguage, setSystemLanguages } from './i18n/index.svelte';
import { getSettings, systemLanguages } from './ipc';
import { applyTheme } from './lib/theme';

const target = document.getElementById('app');
if (target === null) {
  throw new Error('index.html has no #app element.');
}
// The window is mounted once it knows its look and language, so the first paint is not in the
// wrong ones. Unreadable settings keep the system's look and language; the Settings dialog says
// why.
void Promise.allSettled([getSettings(), systemLanguages()]).then(([settings, system]) => {
  if (system.status === 'fulfilled') {
    setSystemLanguages(system.value);
  }
  const chosen = settings.status === 'fulfilled' ? settings.value : null;
  applyTheme(chosen?.theme ?? 'system');
  applyLanguage(chosen?.language ?? 'system');
  mount(App, { target });
});
