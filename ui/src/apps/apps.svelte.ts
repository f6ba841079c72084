import { listApps, readApps, toIpcError, type AppSummary } from '../ipc';
import { mark, markPainted, reportInteractive } from '../lib/perf';
import { filterApps, indexApps, sortApps, type SortKey, type TypeFilter } from './listing';

/** While apps are read one by one, the list takes in what has come at most this often. */
const READ_BATCH_MS = 100;

/** The applications of the current connection as last loaded, and how the list shows them. */
export class AppsState {
  // Raw: thousands of summaries are replaced whole, never changed in place.
  apps = $state.raw<AppSummary[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);
  /** The last load failed because the server refused the connection's credentials. */
  refused = $state(false);
  /** When the list arrived: expiry hints are relative to it. */
  loadedAt = $state(new Date());
  /**
   * The apps the server listed without scopes and secrets, being read one by one: how many of
   * them have come. Null when none is being read.
   */
  reading = $state<{ done: number; total: number } | null>(null);
  /** Why reading them stopped, if it did. */
  readError = $state<string | null>(null);

  query = $state('');
  sort = $state<SortKey>('name');
  typeFilter = $state<TypeFilter>('all');
  /** The row that has, or last had, focus. */
  activeId = $state<string | null>(null);
  /** Where the list was scrolled to, kept while an app's page is open. */
  scrollTop = 0;

  #indexed = $derived(indexApps(this.apps));
  #sorted = $derived(sortApps(this.#indexed, this.sort));
  /** The rows to show, in order. */
  shown = $derived(filterApps(this.#sorted, this.query, this.typeFilter));
  filtering = $derived(this.query.trim() !== '' || this.typeFilter !== 'all');

  #latest = 0;

  /**
   * Loads the list; when loads overlap, only the latest one's answer is kept. `fresh` reads every
   * app anew where the server lists them bare.
   */
  async load(fresh = false): Promise<void> {
    const request = ++this.#latest;
    this.loading = true;
    this.error = null;
    this.refused = false;
    try {
      const apps = await listApps(fresh);
      if (request === this.#latest) {
        mark('apps:data');
        this.apps = apps;
        this.loadedAt = new Date();
        // The first list painted is the moment the window is of use.
        void markPainted('apps:painted').then(reportInteractive);
        void this.readListedOnly(request);
      }
    } catch (error) {
      if (request === this.#latest) {
        const failure = toIpcError(error);
        this.error = failure.message;
        this.refused = failure.code === 'unauthorized';
      }
    } finally {
      if (request === this.#latest) {
        this.loading = false;
      }
    }
  }

  /**
   * Reads the apps the list gave without their scopes and secrets, and puts each in the list as it
   * comes, a batch at most every {@link READ_BATCH_MS} ms so the rows are not redrawn for every
   * app.
   */
  async readListedOnly(request = this.#latest): Promise<void> {
    const missing = this.apps.filter((app) => app.listedOnly).map((app) => app.id);
    this.readError = null;
    if (missing.length === 0) {
      return;
    }
    const total = missing.length;
    this.reading = { done: 0, total };
    const arrived = new Map<string, AppSummary>();
    let done = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      if (request !== this.#latest || arrived.size === 0) {
        return;
      }
      done += arrived.size;
      this.apps = this.apps.map((app) => arrived.get(app.id) ?? app);
      this.reading = { done, total };
      arrived.clear();
    };
    try {
      await readApps(missing, (app) => {
        arrived.set(app.id, app);
        timer ??= setTimeout(flush, READ_BATCH_MS);
      });
      if (request === this.#latest) {
        mark('apps:read');
        void markPainted('apps:read-painted');
      }
    } catch (error) {
      if (request === this.#latest) {
        this.readError = toIpcError(error).message;
      }
    } finally {
      if (timer !== null) {
        clearTimeout(timer);
      }
      flush();
      if (request === this.#latest) {
        this.reading = null;
      }
    }
  }

  /** Forgets another connection's list: its rows, the search, the filter, the scroll. */
  reset(): void {
    this.#latest += 1;
    this.apps = [];
    this.error = null;
    this.reading = null;
    this.readError = null;
    this.loading = false;
    this.activeId = null;
    this.scrollTop = 0;
    this.clearFilters();
  }

  /** Drops a deleted app without asking the server for the whole list again. */
  remove(appId: string): void {
    this.apps = this.apps.filter((app) => app.id !== appId);
  }

  clearFilters(): void {
    this.query = '';
    this.typeFilter = 'all';
  }
}
