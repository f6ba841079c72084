import type { AppType } from '../ipc';

export const APP_TYPE_LABEL: Record<AppType, string> = {
  confidential: 'Confidential',
  nonConfidential: 'Non-confidential',
};

/** "1 scope", "3 scopes". */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
