import type { AppDetails, SecretView } from '../ipc';
import { m } from '../i18n/index.svelte';
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
    return { expires: null, problem: m.secrets_expiry_day_missing() };
  }
  if (end <= now) {
    return { expires: null, problem: m.secrets_expiry_day_past() };
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
  return secret.description
    ? m.secrets_name_described({ description: secret.description, created })
    : m.secrets_name_undescribed({ created });
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
  return secretText(heldSecret(app));
}

/** A secret as the admin tells it from the others (null: one the server did not say). */
export function secretText(secret: SecretView | null): string {
  if (secret === null) {
    return m.secrets_held_unknown();
  }
  const created = formatDateTime(secret.created);
  const expires = secret.expires === null ? null : formatDate(secret.expires);
  if (secret.description) {
    const description = secret.description;
    return expires === null
      ? m.secrets_held_described_never({ description, created })
      : m.secrets_held_described_expires({ description, created, expires });
  }
  return expires === null
    ? m.secrets_held_undescribed_never({ created })
    : m.secrets_held_undescribed_expires({ created, expires });
}
