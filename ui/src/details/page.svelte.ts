import { getApp, toIpcError, type AppDetails, type GeneratedSecret, type IpcError } from '../ipc';

/** One app as last read from the server, for its page. */
export class AppPageState {
  readonly appId: string;
  details = $state.raw<AppDetails | null>(null);
  /** A secret the server replaced out of Registrar's sight, to show once; kept apart from `details`. */
  replaced = $state.raw<GeneratedSecret | null>(null);
  loading = $state(false);
  error = $state<IpcError | null>(null);

  #latest = 0;

  constructor(appId: string) {
    this.appId = appId;
  }

  /** Reads the app; when reads overlap, only the latest one's answer is kept. */
  async load(): Promise<void> {
    const request = ++this.#latest;
    this.loading = true;
    this.error = null;
    try {
      const details = await getApp(this.appId);
      // Taken from the read whatever happens next: Rust sends it once.
      if (details.replacedSecret !== null) {
        this.replaced = details.replacedSecret;
      }
      if (request === this.#latest) {
        this.details = { ...details, replacedSecret: null };
      }
    } catch (error) {
      if (request === this.#latest) {
        this.error = toIpcError(error);
      }
    } finally {
      if (request === this.#latest) {
        this.loading = false;
      }
    }
  }

  /** Shows the app as another call read it back (an update, a deleted secret). */
  show(details: AppDetails): void {
    ++this.#latest;
    this.details = details;
    this.error = null;
    this.loading = false;
  }
}
