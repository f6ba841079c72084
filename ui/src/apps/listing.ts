// Search, sort and type filter for the applications list, in memory. Each app is indexed once when
// it arrives, so a keystroke costs one substring test per app.
import type { AppSummary, AppType } from '../ipc';

export type SortKey = 'name' | 'type' | 'expiry';
export type TypeFilter = 'all' | AppType;

export type ListedApp = {
  app: AppSummary;
  /** Name, App ID and scope names, lower-cased, for the search box. */
  search: string;
  /** The nearest secret expiry in milliseconds; +Infinity for none. */
  expiry: number;
};

/** Each summary's index, made once: summaries are replaced, never changed in place. */
const indexed = new WeakMap<AppSummary, ListedApp>();

/** The apps with their index; a list that takes in a few read apps indexes only those. */
export function indexApps(apps: readonly AppSummary[]): ListedApp[] {
  return apps.map((app) => {
    let item = indexed.get(app);
    if (item === undefined) {
      item = {
        app,
        search: [app.name, app.id, ...app.scopes.map((s) => s.name)].join('\n').toLowerCase(),
        expiry: app.nearestExpiry === null ? Infinity : Date.parse(app.nearestExpiry),
      };
      indexed.set(app, item);
    }
    return item;
  });
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

const TYPE_ORDER: Record<AppType, number> = { confidential: 0, nonConfidential: 1 };

function byName(a: ListedApp, b: ListedApp): number {
  return collator.compare(a.app.name, b.app.name) || (a.app.id < b.app.id ? -1 : a.app.id > b.app.id ? 1 : 0);
}

const COMPARE: Record<SortKey, (a: ListedApp, b: ListedApp) => number> = {
  name: byName,
  type: (a, b) => TYPE_ORDER[a.app.appType] - TYPE_ORDER[b.app.appType] || byName(a, b),
  // Infinity - Infinity is NaN: two apps without expiry are equal here.
  expiry: (a, b) => (a.expiry === b.expiry ? 0 : a.expiry - b.expiry) || byName(a, b),
};

/** Sorted by name, by type then name, or by nearest expiry (soonest first, none last) then name. */
export function sortApps(apps: readonly ListedApp[], key: SortKey): ListedApp[] {
  return [...apps].sort(COMPARE[key]);
}

/** The apps of the type whose name, App ID or a scope contains the query, ignoring case. */
export function filterApps(apps: readonly ListedApp[], query: string, type: TypeFilter): readonly ListedApp[] {
  const needle = query.trim().toLowerCase();
  if (needle === '' && type === 'all') {
    return apps;
  }
  return apps.filter((item) => (type === 'all' || item.app.appType === type) && item.search.includes(needle));
}
