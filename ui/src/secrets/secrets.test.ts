import { describe, expect, it } from 'vitest';
import type { AppDetails, SecretView } from '../ipc';
import { isLastActive, resolveExpiry } from './secrets';

const NOW = new Date(2026, 5, 1, 15, 0);

describe('resolveExpiry', () => {
  it.each([
    ['30', new Date(2026, 6, 1, 23, 59, 59)],
    ['90', new Date(2026, 7, 30, 23, 59, 59)],
    ['180', new Date(2026, 10, 28, 23, 59, 59)],
    ['365', new Date(2027, 5, 1, 23, 59, 59)],
  ] as const)('for %s days is the end of that local day', (choice, end) => {
    expect(resolveExpiry(choice, '', NOW)).toEqual({ expires: end, problem: null });
  });

  it('is the end of the chosen day, today included', () => {
    expect(resolveExpiry('date', '2026-12-24', NOW)).toEqual({ expires: new Date(2026, 11, 24, 23, 59, 59), problem: null });
    expect(resolveExpiry('date', '2026-06-01', NOW).expires).toEqual(new Date(2026, 5, 1, 23, 59, 59));
  });

  it('wants a day that has not passed', () => {
    expect(resolveExpiry('date', '', NOW)).toEqual({ expires: null, problem: 'Choose the day it expires.' });
    expect(resolveExpiry('date', '2026-05-31', NOW)).toEqual({ expires: null, problem: 'Choose today or a later day.' });
  });

  it('is never for none', () => {
    expect(resolveExpiry('none', '2026-12-24', NOW)).toEqual({ expires: null, problem: null });
  });
});

describe('isLastActive', () => {
  const secret = (id: number, status: SecretView['status']): SecretView => ({
    id,
    description: null,
    created: '2026-01-01T00:00:00Z',
    expires: null,
    status,
  });
  const app = (secrets: SecretView[], appType: AppDetails['appType'] = 'confidential'): AppDetails => ({
    id: 'a1',
    name: 'Sync',
    appType,
    redirectUris: [],
    scopes: [],
    secrets,
    holdsSecret: false,
    heldSecretId: null,
    unmanaged: null,
    replacedSecret: null,
    rotation: null,
  });

  it('is the one secret of a confidential app that has not expired', () => {
    const only = secret(1, 'expiringSoon');
    expect(isLastActive(app([only, secret(2, 'expired')]), only)).toBe(true);
  });

  it('is not when another one works, or when it has expired itself', () => {
    const one = secret(1, 'active');
    expect(isLastActive(app([one, secret(2, 'expiringSoon')]), one)).toBe(false);
    const expired = secret(2, 'expired');
    expect(isLastActive(app([secret(1, 'active'), expired]), expired)).toBe(false);
    const alone = secret(3, 'expired');
    expect(isLastActive(app([alone]), alone)).toBe(false);
  });

  it('is not for a non-confidential app', () => {
    const one = secret(1, 'active');
    expect(isLastActive(app([one], 'nonConfidential'), one)).toBe(false);
  });
});
