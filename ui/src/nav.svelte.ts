export type View = { name: 'list' } | { name: 'app'; appId: string } | { name: 'expiring' };

/** Where the window is: the applications list, one app's page, or the expiring secrets. */
export class Navigation {
  view = $state<View>({ name: 'list' });
  /** The list is back after an app's page, so focus goes back to that app's row. */
  returned = $state(false);

  open(appId: string): void {
    this.view = { name: 'app', appId };
    this.returned = false;
  }

  expiring(): void {
    this.view = { name: 'expiring' };
    this.returned = false;
  }

  back(): void {
    this.view = { name: 'list' };
    this.returned = true;
  }
}
