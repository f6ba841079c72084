export type View =
  | { name: 'list' }
  | { name: 'app'; appId: string; verify: boolean }
  | { name: 'expiring' }
  | { name: 'audit' }
  | { name: 'manifest' };

/**
 * Where the window is: the applications list, one app's page, the expiring secrets, the audit
 * trail or a manifest compared with the apps.
 */
export class Navigation {
  view = $state<View>({ name: 'list' });
  /** The list is back after an app's page, so focus goes back to that app's row. */
  returned = $state(false);

  /** One app's page; `verify`: its credentials are verified as it opens. */
  open(appId: string, verify = false): void {
    this.view = { name: 'app', appId, verify };
    this.returned = false;
  }

  expiring(): void {
    this.view = { name: 'expiring' };
    this.returned = false;
  }

  audit(): void {
    this.view = { name: 'audit' };
    this.returned = false;
  }

  manifest(): void {
    this.view = { name: 'manifest' };
    this.returned = false;
  }

  back(): void {
    this.view = { name: 'list' };
    this.returned = true;
  }
}
