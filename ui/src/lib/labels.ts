import { locale, m } from '../i18n/index.svelte';
import type { AppType, ScopeType, SecretStatus } from '../ipc';

// Each label is read when it is shown, so it is in the window's language of that moment, and a
// template that shows one follows a change of language.

export const APP_TYPE_LABEL: Readonly<Record<AppType, string>> = {
  get confidential() {
    return m.lib_app_type_confidential();
  },
  get nonConfidential() {
    return m.lib_app_type_non_confidential();
  },
};

export const SCOPE_TYPE_LABEL: Readonly<Record<ScopeType, string>> = {
  get user() {
    return m.lib_scope_type_user();
  },
  get application() {
    return m.lib_scope_type_application();
  },
};

/** The kinds as a sentence names them, within it: "a confidential app", "(application)". */
export const APP_TYPE_IN_SENTENCE: Readonly<Record<AppType, string>> = {
  get confidential() {
    return m.lib_app_type_confidential_in_sentence();
  },
  get nonConfidential() {
    return m.lib_app_type_non_confidential_in_sentence();
  },
};

export const SCOPE_TYPE_IN_SENTENCE: Readonly<Record<ScopeType, string>> = {
  get user() {
    return m.lib_scope_type_user_in_sentence();
  },
  get application() {
    return m.lib_scope_type_application_in_sentence();
  },
};

export const SECRET_STATUS_LABEL: Readonly<Record<SecretStatus, string>> = {
  get active() {
    return m.lib_secret_status_active();
  },
  get expiringSoon() {
    return m.lib_secret_status_expiring_soon();
  },
  get expired() {
    return m.lib_secret_status_expired();
  },
};

/**
 * A message that is read each time it is made a string (shown in a template, put in a template
 * literal or a message's placeholder), so it is always in the window's language.
 */
export interface ShownText {
  toString(): string;
}

function shown(message: () => string): ShownText {
  return { toString: message };
}

/** Why the secret cannot be verified or copied when the session does not hold it. */
export const SECRET_NOT_HELD: ShownText = shown(() => m.lib_secret_not_held());

/** "a", "a and b", "a, b and c", in the window's language ("a、b、c" in Japanese). */
export function listed(items: readonly string[]): string {
  // British English: the window has always written English lists without a comma before "and".
  const language = locale() === 'en' ? 'en-GB' : locale();
  return new Intl.ListFormat(language, { style: 'long', type: 'conjunction' }).format(items);
}

/** The mark of the app a connection signs in with (short in the list, whole on its page), and what it means. */
export const ADMIN_APP_MARK: ShownText = shown(() => m.lib_admin_app_mark());
export const ADMIN_APP_LABEL: ShownText = shown(() => m.lib_admin_app_label());
export const ADMIN_APP_NOTE: ShownText = shown(() => m.lib_admin_app_note());
