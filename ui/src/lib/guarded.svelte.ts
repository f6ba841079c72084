import { toIpcError } from '../ipc';

/**
 * A change Rust may refuse with a lockout warning (it would cut the connection off), done again
 * with the warning accepted once the admin has ticked it.
 */
export class GuardedChange {
  busy = $state(false);
  error = $state<string | null>(null);
  /** Why the change would cut the connection off, once Rust has said so. */
  lockout = $state<string | null>(null);
  accepted = $state(false);

  /** Whether the change may be asked for: no warning, or one accepted. */
  get ready(): boolean {
    return this.lockout === null || this.accepted;
  }

  /**
   * Makes the change; a failure other than the warning is said by `failed` given Rust's message
   * (a whole message, so the languages can put it where they need). Stays busy when it succeeds,
   * as its dialog closes.
   */
  async run(change: (acceptLockout: boolean) => Promise<void>, failed: (detail: string) => string): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await change(this.lockout !== null && this.accepted);
    } catch (failure) {
      const refused = toIpcError(failure);
      if (refused.code === 'lockout') {
        this.lockout = refused.message;
      } else {
        this.error = failed(refused.message);
      }
      this.busy = false;
    }
  }
}
