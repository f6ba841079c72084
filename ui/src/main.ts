import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { applyLanguage } from './i18n/index.svelte';
import { getSettings } from './ipc';
import { applyTheme } from './lib/theme';

const target = document.getElementById('app');
if (target === null) {
  throw new Error('index.html has no #app element.');
}
// As the system looks and speaks until the settings say otherwise, so the first paint is not the
// wrong one.
applyTheme('system');
applyLanguage('system');
void getSettings()
  .then((settings) => {
    applyTheme(settings.theme);
    applyLanguage(settings.language);
  })
  // Unreadable settings keep the system's look and language; the Settings dialog says why.
  .catch(() => {});
mount(App, { target });
