import type { AppDetails, SecretView } from '../ipc';
import { endOfDayAfter, endOfLocalDay, formatDate, formatDateTime } from '../lib/dates';

export type ExpiryChoice = '30' | '90' | '180' | '365' | 'date' | 'none';

export const EXPIRY_PRESETS = ['30', '90', '180', '365'] as const;

export type Expiry = { expires: Date | null; problem: null } | { expires: null; problem: string };

/**
 * When a secret made at `now` expires: at the end of the local day so many days on, at the end of
 * the chosen `day` (as a date input gives it), or never.
 */
export function resolveExpiry(choice: ExpiryChoice, day: string, now: Date): Expiry {
  if (choice === 'none') {
    return { expires: null, problem: null };
  }
  if (choice !== 'date') {
    return { expires: endOfDayAfter(now, Number(choice)), problem: null };
  }
  const end = endOfLocalDay(day);
  if (end === null) {
    return { expires: null, problem: 'Choose the day it expires.' };
  }
  if (end <= now) {
    return { expires: null, problem: 'Choose today or a later day.' };
  }
  return { expires: end, problem: null };
}

/** Deleting it leaves a confidential app with no secret that works. */
export function isLastActive(app: AppDetails, secret: SecretView): boolean {
  const working = app.secrets.filter((s) => s.status !== 'expired');
  return app.appType === 'confidential' && working.length === 1 && working[0].id === secret.id;
}

/** How a secret is named to the admin: its description and when it was made. */
export function secretName(secret: SecretView): string {
  const created = formatDateTime(secret.created);
  return secret.description ? `“${secret.description}”, created ${created}` : `the secret created ${created}`;
}

/** The secret whose value this session holds (Copy secret, Verify and the sheet use it), if known. */
export function heldSecret(app: AppDetails): SecretView | null {
  if (!app.holdsSecret || app.heldSecretId === null) {
    return null;
  }
  return app.secrets.find((s) => s.id === app.heldSecretId) ?? null;
}

/** The held secret as the admin tells it from the others: description, creation and expiry. */
export function heldSecretText(app: AppDetails): string {
  const secret = heldSecret(app);
  if (secret === null) {
    return 'the secret generated in this session';
  }
  const expiry = secret.expires === null ? 'never expires' : `expires ${formatDate(secret.expires)}`;
  return `${secretName(secret)}, ${expiry}`;
}
