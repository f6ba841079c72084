// As Registrar's markPainted (ui/src/lib/perf.ts): a frame callback runs just before the next
// paint, and a message posted from it arrives once that frame is painted; then the app is told, as
// Registrar's UI tells it once the apps list is painted. The page has no bundler to import
// @tauri-apps/api with, so it calls what that package's invoke calls.
requestAnimationFrame(() => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => window.__TAURI_INTERNALS__.invoke('report_startup');
  channel.port2.postMessage(null);
});
