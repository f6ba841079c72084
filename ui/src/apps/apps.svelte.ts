import { listApps, toIpcError, type AppSummary } from '../ipc';
import { mark, markPainted, reportInteractive } from '../lib/perf';
import { filterApps, indexApps, sortApps, type SortKey, type TypeFilter } from './listing';

/** The applications of the current connection as last loaded, and how the list shows them. */
export class AppsState {
  // Raw: thousands of summaries are replaced whole, never changed in place.
  apps = $state.raw<AppSummary[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);
  /** When the list arrived: expiry hints are relative to it. */
  loadedAt = $state(new Date());

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

  /** Loads the list; when loads overlap, only the latest one's answer is kept. */
  async load(): Promise<void> {
    const request = ++this.#latest;
    this.loading = true;
    this.error = null;
    try {
      const apps = await listApps();
      if (request === this.#latest) {
        mark('apps:data');
        this.apps = apps;
        this.loadedAt = new Date();
        // The first list painted is the moment the window is of use.
        void markPainted('apps:painted').then(reportInteractive);
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

  /** Forgets another connection's list: its rows, the search, the filter, the scroll. */
  reset(): void {
    this.#latest += 1;
    this.apps = [];
    this.error = null;
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
