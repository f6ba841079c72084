import { afterEach, describe, expect, it } from 'vitest';
import { applyLanguage } from '../i18n/index.svelte';
import { findingText } from './findingText';

afterEach(() => applyLanguage('en'));

describe('findingText', () => {
  it('says each kind of finding with what it names, as the command line does', () => {
    expect(findingText({ kind: 'userScopesWithoutRedirect', scopes: ['OR.Users.Read', 'OR.Jobs'] }).what).toBe(
      'It holds user scopes (OR.Users.Read and OR.Jobs) but no redirect URL.',
    );
    const broad = findingText({
      kind: 'broadAndNarrowScope',
      broad: 'OR.Jobs',
      narrower: ['OR.Jobs.Read', 'OR.Jobs.Write'],
      scopeType: 'user',
    });
    expect(broad.what).toBe('It holds OR.Jobs and OR.Jobs.Read and OR.Jobs.Write as user scopes.');
    expect(broad.fix).toBe('Remove OR.Jobs and keep only the narrower scopes it needs.');
    expect(findingText({ kind: 'plainHttpRedirect', uri: 'http://a.example/cb' }).fix).toBe(
      'Use https for http://a.example/cb, or a loopback address for a desktop app.',
    );
    expect(findingText({ kind: 'duplicateRedirect', uri: 'https://a/cb', other: 'https://a/cb' }).what).toBe(
      'The redirect URL https://a/cb is listed twice.',
    );
    expect(findingText({ kind: 'duplicateRedirect', uri: 'https://a/cb/', other: 'https://a/cb' }).what).toBe(
      'The redirect URLs https://a/cb and https://a/cb/ differ only by a trailing slash.',
    );
    expect(findingText({ kind: 'onlyExpiredSecrets' }).what).toBe('Every secret it has has expired.');
    const long = { kind: 'secretLivesTooLong', secretId: 2, description: 'CI', livesDays: 800, maxDays: 730 } as const;
    expect(findingText(long).what).toBe('Secret 2 (“CI”) lives 800 days, longer than the 730 allowed.');
    expect(findingText({ ...long, description: null, livesDays: null }).what).toBe('Secret 2 never expires.');
    expect(findingText({ kind: 'allSecretsTooOld', maxDays: 90 }).what).toBe(
      'Every secret it has was made more than 90 days ago.',
    );
  });

  it('says them in Japanese', () => {
    applyLanguage('ja');
    const long = { kind: 'secretLivesTooLong', secretId: 2, description: 'CI', livesDays: 800, maxDays: 730 } as const;
    expect(findingText(long).what).toBe('シークレット 2（「CI」）の有効期間は 800 日で、許容される 730 日を超えています。');
    expect(findingText({ kind: 'plainHttpRedirect', uri: 'http://a.example/cb' }).fix).toContain('http://a.example/cb');
  });
});
