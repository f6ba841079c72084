import { getCatalog, toIpcError, type CatalogResource, type ScopeChoice } from '../ipc';

/** The server's scope catalog, read once and shared by the editor and the app page. */
export class CatalogState {
  resources = $state.raw<CatalogResource[] | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);

  /** Loads the catalog unless it is loaded or loading; after a failure, tries again. */
  ensure(): void {
    if (this.resources === null && !this.loading) {
      void this.load();
    }
  }

  #latest = 0;

  /** Forgets the catalog: another connection's server has its own. A read still under way for
   * the old one is ignored when it answers. */
  reset(): void {
    this.#latest += 1;
    this.resources = null;
    this.error = null;
    this.loading = false;
  }

  async load(): Promise<void> {
    const request = ++this.#latest;
    this.loading = true;
    this.error = null;
    try {
      const resources = await getCatalog();
      if (request === this.#latest) {
        this.resources = resources;
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

export type ChosenScope = { name: string; displayName: string | null };

export type ResourceScopes = {
  /** The resource's display name; null for scopes the catalog does not know. */
  displayName: string | null;
  user: ChosenScope[];
  application: ChosenScope[];
};

/**
 * An app's scopes grouped by the catalog's resources, in the catalog's order, each split by type.
 * A scope name found in several resources goes to the first; unknown ones come last, together.
 */
export function groupByResource(scopes: readonly ScopeChoice[], catalog: readonly CatalogResource[]): ResourceScopes[] {
  const known = new Map<string, { resource: number; position: number; displayName: string }>();
  catalog.forEach((resource, index) =>
    resource.scopes.forEach((scope, position) => {
      if (!known.has(scope.name)) {
        known.set(scope.name, { resource: index, position, displayName: scope.displayName });
      }
    }),
  );
  const groups: ResourceScopes[] = [...catalog, null].map((resource) => ({
    displayName: resource?.displayName ?? null,
    user: [],
    application: [],
  }));
  const position = (name: string) => known.get(name)?.position ?? Number.MAX_SAFE_INTEGER;
  for (const choice of [...scopes].sort((a, b) => position(a.name) - position(b.name))) {
    const place = known.get(choice.name);
    groups[place?.resource ?? catalog.length][choice.type].push({
      name: choice.name,
      displayName: place?.displayName ?? null,
    });
  }
  return groups.filter((group) => group.user.length + group.application.length > 0);
}
