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
