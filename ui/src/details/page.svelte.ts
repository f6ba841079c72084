import { m } from '../i18n/index.svelte';
import { getApp, toIpcError, type AppDetails, type GeneratedSecret, type IpcError } from '../ipc';

/** One app as last read from the server, for its page. */
export class AppPageState {
  readonly appId: string;
  details = $state.raw<AppDetails | null>(null);
  /** A secret the server replaced, to show once, and how it came; kept apart from `details`. */
  replaced = $state.raw<{ generated: GeneratedSecret; why: () => string } | null>(null);
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
      const details = this.#keepReplaced(await getApp(this.appId));
      if (request === this.#latest) {
        this.details = details;
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

  /** Shows the app as another call read it back (an update, a deleted secret, a re-read). */
  show(details: AppDetails): void {
    ++this.#latest;
    this.details = this.#keepReplaced(details);
    this.error = null;
    this.loading = false;
  }

  /**
   * A read's replaced secret, taken whatever happens next (Rust sends it once) and kept apart
   * from the details, which then hold none.
   */
  #keepReplaced(details: AppDetails): AppDetails {
    if (details.replacedSecret !== null) {
      this.replaced = {
        generated: details.replacedSecret,
        why: m.details_replaced_on_server,
      };
    }
    return { ...details, replacedSecret: null };
  }
}
