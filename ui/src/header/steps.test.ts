import { afterEach, describe, expect, it } from 'vitest';
import { applyLanguage } from '../i18n/index.svelte';
import { stepText } from './steps';

afterEach(() => applyLanguage('en'));

const DIFFERS = {
  kind: 'discovery',
  issuer: 'https://cloud.example/identity_',
  tokenEndpoint: 'https://cloud.example/identity_/connect/token',
  differsFrom: 'https://cloud.example/acme/identity_',
} as const;

describe('stepText', () => {
  it('says what each step found, as the command line does', () => {
    expect(stepText(DIFFERS)).toContain(
      'It differs from the connection\'s URL https://cloud.example/acme/identity_, as expected',
    );
    expect(stepText({ ...DIFFERS, differsFrom: null })).toBe(
      'Discovery names the issuer https://cloud.example/identity_ and the token endpoint https://cloud.example/identity_/connect/token.',
    );
    expect(stepText({ kind: 'adminTokenIssued', scopes: ['PM.OAuthApp', 'PM.OAuthApp.Read'] })).toBe(
      'The admin token was issued, carrying PM.OAuthApp PM.OAuthApp.Read.',
    );
    expect(stepText({ kind: 'adminTokenIssued', scopes: [] })).toBe('The admin token was issued, carrying no scopes.');
    expect(stepText({ kind: 'appsListed', count: 1200 })).toBe('Listed 1,200 external applications.');
    expect(stepText({ kind: 'noRegistrationEndpoint', issuer: 'https://login.example' })).toBe(
      'https://login.example takes no registrations: its metadata names no registration endpoint.',
    );
    expect(stepText({ kind: 'error', message: 'HTTP 503.' })).toBe('HTTP 503.');
  });

  it('says it in Japanese', () => {
    applyLanguage('ja');
    expect(stepText({ kind: 'appsListed', count: 3 })).toBe('3 個の外部アプリケーションを取得しました。');
    expect(stepText(DIFFERS)).toContain('https://cloud.example/acme/identity_ と異なりますが、想定どおりです');
  });
});
