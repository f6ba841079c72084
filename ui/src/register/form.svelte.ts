import type { AppDraft, AppType, CatalogResource, ScopeChoice, ScopeType } from '../ipc';

export type RedirectRow = { key: number; value: string };

/** What the admin has entered in the register form, kept exactly as typed. */
export class RegisterFormState {
  name = $state('');
  appType = $state<AppType>('confidential');
  redirects = $state<RedirectRow[]>([]);
  scopes = $state<ScopeChoice[]>([]);

  #nextKey = 0;

  addRedirect(): void {
    this.redirects.push({ key: this.#nextKey++, value: '' });
  }

  setRedirect(key: number, value: string): void {
    const row = this.redirects.find((r) => r.key === key);
    if (row) {
      row.value = value;
    }
  }

  removeRedirect(key: number): void {
    this.redirects = this.redirects.filter((r) => r.key !== key);
  }

  isChosen(name: string, type: ScopeType): boolean {
    return this.scopes.some((s) => s.name === name && s.type === type);
  }

  choose(name: string, type: ScopeType, chosen: boolean): void {
    if (!chosen) {
      this.scopes = this.scopes.filter((s) => s.name !== name || s.type !== type);
    } else if (!this.isChosen(name, type)) {
      this.scopes.push({ name, type });
    }
  }

  chosenIn(resource: CatalogResource): number {
    return this.scopes.filter((s) => resource.scopes.some((c) => c.name === s.name)).length;
  }

  /**
   * Sets the app type. A non-confidential app has no application scopes, so
   * switching to it drops them; returns the names of the dropped scopes.
   */
  setType(type: AppType): string[] {
    this.appType = type;
    if (type === 'confidential') {
      return [];
    }
    const dropped = this.scopes.filter((s) => s.type === 'application').map((s) => s.name);
    this.scopes = this.scopes.filter((s) => s.type !== 'application');
    return dropped;
  }

  toDraft(): AppDraft {
    return {
      name: this.name,
      appType: this.appType,
      redirectUris: this.redirects.map((r) => r.value),
      scopes: $state.snapshot(this.scopes),
    };
  }
}
