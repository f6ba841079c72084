import { describe, expect, it } from 'vitest';
import { claimText, claimTime, formatLifetime, scopeDifference } from './verification';

describe('formatLifetime', () => {
  it.each([
    [3600, '1 hour'],
    [7200, '2 hours'],
    [5400, '1 hour 30 minutes'],
    [300, '5 minutes'],
    [3599, '59 minutes 59 seconds'],
    [1, '1 second'],
    [0, '0 seconds'],
  ])('gives %i seconds as "%s"', (seconds, text) => {
    expect(formatLifetime(seconds)).toBe(text);
  });
});

describe('claims', () => {
  it('read a JSON string without its quotes, and anything else as its JSON text', () => {
    expect(claimText({ name: 'sub', value: '"a1"' })).toBe('a1');
    expect(claimText({ name: 'scope', value: '["OR.Jobs","OR.Queues"]' })).toBe('["OR.Jobs","OR.Queues"]');
    expect(claimText({ name: 'exp', value: '1780000000' })).toBe('1780000000');
  });

  it('give exp, iat and nbf as times, and nothing for other claims or values that are no number', () => {
    expect(claimTime({ name: 'exp', value: '1780000000' })).toBe('2026-05-28T20:26:40.000Z');
    expect(claimTime({ name: 'iat', value: '0' })).toBe('1970-01-01T00:00:00.000Z');
    expect(claimTime({ name: 'nbf', value: '"soon"' })).toBeNull();
    expect(claimTime({ name: 'nbf', value: '' })).toBeNull();
    expect(claimTime({ name: 'exp', value: '1e300' })).toBeNull();
    expect(claimTime({ name: 'auth_time', value: '1780000000' })).toBeNull();
  });
});

describe('scopeDifference', () => {
  it('lists the scopes asked for but not granted, and granted but not asked for', () => {
    const verification = {
      requestedScopes: ['OR.Jobs', 'OR.Queues'],
      grantedScopes: ['OR.Jobs', 'OR.Folders'],
      lifetimeSeconds: 3600,
      claims: [],
      token: null,
    };
    expect(scopeDifference(verification)).toEqual({ missing: ['OR.Queues'], extra: ['OR.Folders'] });
  });
});
