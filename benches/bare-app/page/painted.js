// As Registrar's markPainted (ui/src/lib/perf.ts): the next frame lays the page out, the one after
// paints it; then the app is told, as Registrar's UI tells it once the apps list is painted. The
// page has no bundler to import @tauri-apps/api with, so it calls what that package's invoke calls.
requestAnimationFrame(() =>
  requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke('report_startup')),
);
