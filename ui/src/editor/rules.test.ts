import { describe, expect, it } from 'vitest';
import type { AppType, ScopeChoice } from '../ipc';
import {
  checkRedirects,
  grantsFor,
  redirectError,
  redirectMissing,
  redirectRequired,
  redundantPicks,
  trailingSlashTwin,
  type Grant,
} from './rules';

const user = (name: string): ScopeChoice => ({ name, type: 'user' });
const app = (name: string): ScopeChoice => ({ name, type: 'application' });

describe('grantsFor', () => {
  const cases: [AppType, ScopeChoice[], Grant[]][] = [
    ['confidential', [], []],
    ['confidential', [app('OR.Jobs')], ['clientCredentials']],
    ['confidential', [user('OR.Jobs')], ['authorizationCode']],
    ['confidential', [user('OR.Jobs'), app('OR.Jobs')], ['clientCredentials', 'authorizationCode']],
    ['confidential', [app('OR.Jobs'), app('OR.Queues'), user('OR.Jobs')], ['clientCredentials', 'authorizationCode']],
    ['nonConfidential', [], []],
    ['nonConfidential', [user('OR.Jobs')], ['authorizationCodePkce']],
    ['nonConfidential', [user('OR.Jobs'), user('OR.Queues')], ['authorizationCodePkce']],
    ['nonConfidential', [app('OR.Jobs')], []],
    ['nonConfidential', [app('OR.Jobs'), user('OR.Jobs')], ['authorizationCodePkce']],
  ];

  it.each(cases)('%s app with %j allows %j', (appType, scopes, grants) => {
    expect(grantsFor(appType, scopes)).toEqual(grants);
  });
});

describe('redundantPicks', () => {
  it('names X beside X.Read or X.Write of the same type', () => {
    expect(redundantPicks([user('OR.Jobs'), user('OR.Jobs.Read')])).toEqual([
      { type: 'user', broad: 'OR.Jobs', narrow: ['OR.Jobs.Read'] },
    ]);
    expect(redundantPicks([app('OR.Jobs.Write'), app('OR.Jobs')])).toEqual([
      { type: 'application', broad: 'OR.Jobs', narrow: ['OR.Jobs.Write'] },
    ]);
  });

  it('gathers both variants under one note per broad scope and type', () => {
    expect(
      redundantPicks([user('OR.Jobs.Read'), user('OR.Jobs'), user('OR.Jobs.Write'), app('OR.Jobs'), app('OR.Jobs.Read')]),
    ).toEqual([
      { type: 'user', broad: 'OR.Jobs', narrow: ['OR.Jobs.Read', 'OR.Jobs.Write'] },
      { type: 'application', broad: 'OR.Jobs', narrow: ['OR.Jobs.Read'] },
    ]);
  });

  it('works for any service, e.g. PM and DataService', () => {
    expect(redundantPicks([app('PM.OAuthApp'), app('PM.OAuthApp.Write'), user('DataService.Data'), user('DataService.Data.Read')])).toEqual([
      { type: 'application', broad: 'PM.OAuthApp', narrow: ['PM.OAuthApp.Write'] },
      { type: 'user', broad: 'DataService.Data', narrow: ['DataService.Data.Read'] },
    ]);
  });

  const fine: [string, ScopeChoice[]][] = [
    ['nothing chosen', []],
    ['the variants of different types', [user('OR.Jobs'), app('OR.Jobs.Read')]],
    ['read and write without the broad scope', [user('OR.Jobs.Read'), user('OR.Jobs.Write')]],
    ['a scope and another resource', [user('OR.Jobs'), user('OR.JobsX.Read')]],
    ['a suffix that is not a variant', [user('OR.Jobs'), user('OR.Jobs.Execute')]],
    ['a suffix in other case', [user('OR.Jobs'), user('OR.Jobs.read')]],
    ['a bare variant name', [user('Read'), user('.Read')]],
  ];

  it.each(fine)('finds nothing in %s', (_, scopes) => {
    expect(redundantPicks(scopes)).toEqual([]);
  });
});

describe('redirect required', () => {
  it('is required by any user scope, not by application scopes', () => {
    expect(redirectRequired([])).toBe(false);
    expect(redirectRequired([app('OR.Jobs')])).toBe(false);
    expect(redirectRequired([app('OR.Jobs'), user('OR.Jobs.Read')])).toBe(true);
  });

  it('is missing when required and every URL is blank', () => {
    const scopes = [user('OR.Jobs')];
    expect(redirectMissing(scopes, [])).toBe(true);
    expect(redirectMissing(scopes, ['', '  '])).toBe(true);
    expect(redirectMissing(scopes, ['', 'not a url'])).toBe(false);
    expect(redirectMissing(scopes, ['https://a.example.com/cb'])).toBe(false);
    expect(redirectMissing([app('OR.Jobs')], [])).toBe(false);
  });
});

describe('redirectError', () => {
  const good = [
    'https://app.example.com/callback',
    'https://app.example.com',
    'https://app.example.com:8443/cb?x=1',
    'HTTPS://APP.EXAMPLE.COM/CB',
    'http://127.0.0.1:8400/cb',
    'http://127.0.0.1/',
    'http://127.8.9.10/cb',
    'http://[::1]:8400/cb',
    'http://[0:0:0:0:0:0:0:1]/cb',
    'http://localhost/cb',
    'http://LOCALHOST:3000/cb',
    'com.example.app:/oauth2redirect',
    'com.example.app://callback',
    '  https://padded.example.com/cb  ',
  ];

  it.each(good)('accepts %s', (uri) => {
    expect(redirectError(uri)).toBeNull();
  });

  const bad: [string, string][] = [
    ['', 'Fill it in or remove it.'],
    ['   ', 'Fill it in or remove it.'],
    ['https://a.example.com/cb,https://b.example.com/cb', 'It contains a comma, which the server uses to separate URLs.'],
    ['/callback', 'It is not an absolute URL such as https://app.example.com/callback.'],
    ['app.example.com/callback', 'It is not an absolute URL such as https://app.example.com/callback.'],
    ['https://', 'It is not an absolute URL such as https://app.example.com/callback.'],
    ['not a url', 'It is not an absolute URL such as https://app.example.com/callback.'],
    ['https://app.example.com/cb#done', 'It has a fragment (#…), which a redirect URL cannot have.'],
    ['https://app.example.com/cb#', 'It has a fragment (#…), which a redirect URL cannot have.'],
    ['http://app.example.com/cb', 'http is allowed only on loopback (127.0.0.1, [::1] or localhost): use https.'],
    ['http://127.0.0.1.nip.io/cb', 'http is allowed only on loopback (127.0.0.1, [::1] or localhost): use https.'],
    ['http://localhost.example.com/cb', 'http is allowed only on loopback (127.0.0.1, [::1] or localhost): use https.'],
    ['http://[::2]/cb', 'http is allowed only on loopback (127.0.0.1, [::1] or localhost): use https.'],
    ['http://10.0.0.1/cb', 'http is allowed only on loopback (127.0.0.1, [::1] or localhost): use https.'],
    ['myapp:/callback', 'The scheme "myapp" is not allowed: use https, loopback http, or a reverse-domain scheme such as com.example.app:/callback.'],
    ['ftp://files.example.com/cb', 'The scheme "ftp" is not allowed: use https, loopback http, or a reverse-domain scheme such as com.example.app:/callback.'],
    ['javascript:alert(1)', 'The scheme "javascript" is not allowed: use https, loopback http, or a reverse-domain scheme such as com.example.app:/callback.'],
  ];

  it.each(bad)('refuses %j', (uri, message) => {
    expect(redirectError(uri)).toBe(message);
  });
});

describe('trailingSlashTwin', () => {
  const cases: [string, string | null][] = [
    ['https://x.example.com/cb', 'https://x.example.com/cb/'],
    ['https://x.example.com/cb/', 'https://x.example.com/cb'],
    ['https://x.example.com', 'https://x.example.com/'],
    ['http://127.0.0.1:8400/cb', 'http://127.0.0.1:8400/cb/'],
    [' https://x.example.com/cb ', 'https://x.example.com/cb/'],
    ['https://x.example.com/cb?next=1', null],
    ['com.example.app:/cb', null],
    ['http://x.example.com/cb', null],
    ['', null],
  ];

  it.each(cases)('of %j is %j', (uri, twin) => {
    expect(trailingSlashTwin(uri)).toBe(twin);
  });
});

describe('checkRedirects', () => {
  it('notes a missing trailing-slash twin, and not once both are listed', () => {
    expect(checkRedirects(['https://x.example.com/cb'])).toEqual([
      { error: null, missingTwin: 'https://x.example.com/cb/' },
    ]);
    expect(checkRedirects(['https://x.example.com/cb', 'https://x.example.com/cb/'])).toEqual([
      { error: null, missingTwin: null },
      { error: null, missingTwin: null },
    ]);
    expect(checkRedirects(['https://x.example.com/cb/', ' https://x.example.com/cb'])).toEqual([
      { error: null, missingTwin: null },
      { error: null, missingTwin: null },
    ]);
  });

  it('makes a repeated URL an error the second time, compared as trimmed', () => {
    expect(checkRedirects(['com.example.app:/cb', ' com.example.app:/cb ', 'com.example.app:/cb'])).toEqual([
      { error: null, missingTwin: null },
      { error: 'It is listed twice.', missingTwin: null },
      { error: 'It is listed twice.', missingTwin: null },
    ]);
  });

  it('gives each URL its own error, and no note with an error', () => {
    expect(checkRedirects(['http://x.example.com/cb', '', 'https://y.example.com/cb#a'])).toEqual([
      { error: 'http is allowed only on loopback (127.0.0.1, [::1] or localhost): use https.', missingTwin: null },
      { error: 'Fill it in or remove it.', missingTwin: null },
      { error: 'It has a fragment (#…), which a redirect URL cannot have.', missingTwin: null },
    ]);
  });

  it('is empty for no URLs', () => {
    expect(checkRedirects([])).toEqual([]);
  });

  it('keeps a URL the app already holds, even one the rules would refuse now, but not twice', () => {
    const held = ['http://portal.example.com/cb'];
    expect(checkRedirects(['http://portal.example.com/cb', 'http://new.example.com/cb'], held)).toEqual([
      { error: null, missingTwin: null },
      { error: 'http is allowed only on loopback (127.0.0.1, [::1] or localhost): use https.', missingTwin: null },
    ]);
    expect(checkRedirects([held[0], held[0]], held)[1].error).toBe('It is listed twice.');
  });
});
