import {
  getApp,
  planUpdate,
  toIpcError,
  updateApp,
  type AppChanges,
  type AppDetails,
  type AppEdit,
  type IpcError,
  type SavedApp,
} from '../ipc';
import { AppDraftState } from '../editor/draft.svelte';

/** What an edit starts from: the editable part of the app as the server had it. */
export function editOf(app: AppDetails): AppEdit {
  return {
    name: app.name,
    redirectUris: [...app.redirectUris],
    scopes: app.scopes.map((s) => ({ ...s })),
  };
}

export function isEmpty(changes: AppChanges): boolean {
  return (
    changes.name === null &&
    changes.scopesAdded.length + changes.scopesRemoved.length === 0 &&
    changes.redirectUrisAdded.length + changes.redirectUrisRemoved.length === 0
  );
}

/**
 * An edit of one app: the admin's draft, the app as it was when the edit began (the server
 * refuses the update with `conflict` if it changed since), and the changes under review.
 */
export class EditState {
  readonly appId: string;
  readonly draft: AppDraftState;
  #base: AppEdit;
  /** The changes `plan_update` found; set while they are under review. */
  changes = $state.raw<AppChanges | null>(null);
  busy = $state<'review' | 'save' | null>(null);
  error = $state<IpcError | null>(null);
  /** The server reported that the app changed since the edit began. */
  conflict = $state(false);
  /** The app as the server has it now, read after the conflict; the base of the next review. */
  current = $state.raw<AppDetails | null>(null);
  /** Why saving would cut the connection off from its server (its own admin app), once Rust said so. */
  lockout = $state<string | null>(null);
  /** The admin read `lockout` and saves all the same. */
  acceptLockout = $state(false);

  constructor(app: AppDetails) {
    this.appId = app.id;
    this.draft = AppDraftState.of(app);
    this.#base = editOf(app);
  }

  /** Asks the server what saving the draft would change. */
  async review(): Promise<void> {
    if (this.#refused()) {
      return;
    }
    const changes = await this.#run('review', () => planUpdate(this.appId, this.#base, this.draft.toEdit()));
    if (changes !== null) {
      this.changes = changes;
      this.conflict = false;
      this.current = null;
    }
  }

  /** Saves the draft; the app as read back (with a secret the server replaced), or null if it was not saved. */
  save(): Promise<SavedApp | null> {
    const accepted = this.lockout !== null && this.acceptLockout;
    return this.#run('save', () => updateApp(this.appId, this.#base, this.draft.toEdit(), accepted));
  }

  /** Back from the review to the draft. */
  reopen(): void {
    this.changes = null;
    this.lockout = null;
    this.acceptLockout = false;
  }

  /** The draft breaks a rule that is checked before anything is sent. */
  #refused(): boolean {
    this.draft.attempted = this.draft.blocked;
    return this.draft.blocked;
  }

  async #run<T>(busy: 'review' | 'save', call: () => Promise<T>): Promise<T | null> {
    this.busy = busy;
    this.error = null;
    try {
      return await call();
    } catch (failure) {
      const error = toIpcError(failure);
      if (error.code === 'conflict') {
        await this.#reread();
      } else if (error.code === 'lockout') {
        this.lockout = error.message;
      } else {
        // A field to fix sends the admin back to the draft; anything else can be retried as is.
        if (error.field !== null) {
          this.changes = null;
        }
        this.error = error;
      }
      return null;
    } finally {
      this.busy = null;
    }
  }

  /** After a conflict: the draft stays as the admin left it; the base becomes the server's app. */
  async #reread(): Promise<void> {
    this.changes = null;
    this.conflict = true;
    this.current = null;
    try {
      this.current = await getApp(this.appId);
      this.#base = editOf(this.current);
    } catch (failure) {
      this.error = toIpcError(failure);
    }
  }
}
