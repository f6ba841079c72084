import { m } from '../i18n/index.svelte';
import type { AppDraft, AppEdit, AppType, CatalogResource, ScopeChoice, ScopeType } from '../ipc';
import { checkRedirects, grantsFor, redirectMissing, redundantPicks } from './rules';

export type RedirectRow = {
  key: number;
  value: string;
  /** Focus has left the field once: from then on an empty field is an error worth showing. */
  visited: boolean;
};

/** An app as the admin is entering it, for registering or editing; kept exactly as typed. */
export class AppDraftState {
  name = $state('');
  appType = $state<AppType>('confidential');
  redirects = $state<RedirectRow[]>([]);
  scopes = $state<ScopeChoice[]>([]);
  /** A submit was refused for the problems below: show them all, untouched empty fields too. */
  attempted = $state(false);

  /** The redirect URLs the app holds on the server, kept even where the rules would refuse them now. */
  held: string[] = [];
  redirectChecks = $derived(checkRedirects(this.redirects.map((r) => r.value), this.held));
  redirectMissing = $derived(redirectMissing(this.scopes, this.redirects.map((r) => r.value)));
  grants = $derived(grantsFor(this.appType, this.scopes));
  redundancies = $derived(redundantPicks(this.scopes));
  applicationScopes = $derived(this.scopes.filter((s) => s.type === 'application'));
  /** Problems that keep the draft from being sent. */
  blocked = $derived(this.redirectMissing || this.redirectChecks.some((c) => c.error !== null));
  /** Why the last submit was refused, while it still is (in the window's language: it follows a change). */
  refusal = $derived(this.attempted && this.blocked ? m.editor_fix_redirects_first() : null);

  #nextKey = 0;
  /** The draft as it was made, to tell whether anything was entered since. */
  #start = $state('');
  /** Something was entered (or removed) since the draft was made: closing loses it. */
  changed = $derived(JSON.stringify(this.toDraft()) !== this.#start);

  constructor() {
    this.#start = JSON.stringify(this.toDraft());
  }

  /** A draft holding what an existing app has. */
  static of(app: { name: string; appType: AppType; redirectUris: string[]; scopes: ScopeChoice[] }): AppDraftState {
    const draft = new AppDraftState();
    draft.name = app.name;
    draft.appType = app.appType;
    draft.held = [...app.redirectUris];
    for (const uri of app.redirectUris) {
      draft.addRedirect(uri);
    }
    draft.scopes = app.scopes.map((s) => ({ ...s }));
    draft.#start = JSON.stringify(draft.toDraft());
    return draft;
  }

  /** Adds a redirect URL after the row at `after` (at the end without it); returns its index. */
  addRedirect(value = '', after = this.redirects.length - 1): number {
    const index = after + 1;
    this.redirects.splice(index, 0, { key: this.#nextKey++, value, visited: false });
    return index;
  }

  setRedirect(key: number, value: string): void {
    const row = this.redirects.find((r) => r.key === key);
    if (row) {
      row.value = value;
    }
  }

  leaveRedirect(key: number): void {
    const row = this.redirects.find((r) => r.key === key);
    if (row) {
      row.visited = true;
    }
  }

  removeRedirect(key: number): void {
    this.redirects = this.redirects.filter((r) => r.key !== key);
  }

  isChosen(name: string, type: ScopeType): boolean {
    return this.scopes.some((s) => s.name === name && s.type === type);
  }

  choose(name: string, type: ScopeType, chosen: boolean): void {
    this.chooseAll([name], type, chosen);
  }

  /** Chooses or unchooses the scopes `names` of `type`, keeping the order of the choices. */
  chooseAll(names: readonly string[], type: ScopeType, chosen: boolean): void {
    if (chosen) {
      const added = names.filter((name) => !this.isChosen(name, type));
      this.scopes.push(...added.map((name) => ({ name, type })));
    } else {
      const dropped = new Set(names);
      this.scopes = this.scopes.filter((s) => s.type !== type || !dropped.has(s.name));
    }
  }

  chosenIn(resource: CatalogResource): number {
    const names = new Set(resource.scopes.map((s) => s.name));
    return this.scopes.filter((s) => names.has(s.name)).length;
  }

  /** Sets the type; a non-confidential app holds no application scopes, so they are dropped. */
  setType(type: AppType): void {
    this.appType = type;
    if (type === 'nonConfidential') {
      this.scopes = this.scopes.filter((s) => s.type !== 'application');
    }
  }

  toEdit(): AppEdit {
    return {
      name: this.name,
      redirectUris: this.redirects.map((r) => r.value),
      scopes: $state.snapshot(this.scopes),
    };
  }

  toDraft(): AppDraft {
    return { ...this.toEdit(), appType: this.appType };
  }
}
