import type { AppType, ScopeType, SecretStatus } from '../ipc';

export const APP_TYPE_LABEL: Record<AppType, string> = {
  confidential: 'Confidential',
  nonConfidential: 'Non-confidential',
};

export const SCOPE_TYPE_LABEL: Record<ScopeType, string> = {
  user: 'User',
  application: 'Application',
};

export const SECRET_STATUS_LABEL: Record<SecretStatus, string> = {
  active: 'Active',
  expiringSoon: 'Expires soon',
  expired: 'Expired',
};

/** Why the secret cannot be verified or copied when the session does not hold it. */
export const SECRET_NOT_HELD =
  'Registrar holds a secret only right after generating it, until it closes: generate a new one to verify or copy it.';

/** "1 scope", "3 scopes". */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** "a", "a and b", "a, b and c". */
export function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The mark of the app a connection signs in with (short in the list, whole on its page), and what it means. */
export const ADMIN_APP_MARK = 'Admin app';
export const ADMIN_APP_LABEL = 'This connection’s admin app';
export const ADMIN_APP_NOTE =
  'Registrar signs in to this connection with this app. Deleting it, or its last working secret, locks Registrar out ' +
  'until the connection’s credentials are renewed in Connections.';
