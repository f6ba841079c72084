import { listApps, toIpcError, type AppSummary } from '../ipc';

/** The applications of the current connection, as last loaded. */
export class AppsState {
  apps = $state<AppSummary[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);

  #latest = 0;

  /** Loads the list; when loads overlap, only the latest one's answer is kept. */
  async load(): Promise<void> {
    const request = ++this.#latest;
    this.loading = true;
    this.error = null;
    try {
      const apps = await listApps();
      if (request === this.#latest) {
        this.apps = apps;
      }
    } catch (error) {
      if (request === this.#latest) {
        this.error = toIpcError(error).message;
      }
    } finally {
      if (request === this.#latest) {
        this.loading = false;
      }
    }
  }
}
