import type { Claim, Verification } from '../ipc';
import { m } from '../i18n/index.svelte';

/** Claims whose value is a time in seconds since the epoch (RFC 7519). */
const TIME_CLAIMS: ReadonlySet<string> = new Set(['exp', 'iat', 'nbf']);

/**
 * "1 hour", "1 hour 30 minutes", "59 minutes 59 seconds", "0 seconds"; "1 時間 30 分" in Japanese:
 * both languages write the units of a duration side by side, a space apart.
 */
export function formatLifetime(seconds: number): string {
  const parts = [
    [Math.floor(seconds / 3600), m.details_hours],
    [Math.floor((seconds % 3600) / 60), m.details_minutes],
    [seconds % 60, m.details_seconds],
  ] as const;
  const shown = parts.filter(([count]) => count > 0).map(([count, unit]) => unit({ count }));
  return shown.length > 0 ? shown.join(' ') : m.details_seconds({ count: 0 });
}

/** A claim's value to read: a JSON string without its quotes, anything else as its JSON text. */
export function claimText(claim: Claim): string {
  try {
    const value: unknown = JSON.parse(claim.value);
    return typeof value === 'string' ? value : claim.value;
  } catch {
    return claim.value;
  }
}

/** For `exp`, `iat` and `nbf` holding a number: that time as RFC 3339; otherwise null. */
export function claimTime(claim: Claim): string | null {
  if (!TIME_CLAIMS.has(claim.name)) {
    return null;
  }
  const time = new Date(Number(claim.value) * 1000);
  return claim.value.trim() === '' || Number.isNaN(time.getTime()) ? null : time.toISOString();
}

/** The scopes asked for but not granted, and those granted without being asked for. */
export function scopeDifference({ requestedScopes, grantedScopes }: Verification): { missing: string[]; extra: string[] } {
  return {
    missing: requestedScopes.filter((scope) => !grantedScopes.includes(scope)),
    extra: grantedScopes.filter((scope) => !requestedScopes.includes(scope)),
  };
}
