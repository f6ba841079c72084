import { afterEach, describe, expect, it } from 'vitest';
import { formatDate } from '../lib/dates';
import { formatNumber } from './format';
import { applyLanguage, around, locale, m, resolveLocale, SLOT } from './index.svelte';

afterEach(() => applyLanguage('en'));

describe('resolveLocale', () => {
  it('speaks the language chosen in Settings, whatever the system speaks', () => {
    expect(resolveLocale('ja', ['en-US'])).toBe('ja');
    expect(resolveLocale('en', ['ja-JP'])).toBe('en');
  });

  it('follows the first of the system languages it speaks, and else English', () => {
    expect(resolveLocale('system', ['ja-JP', 'en-US'])).toBe('ja');
    expect(resolveLocale('system', ['de-DE', 'ja_JP', 'en'])).toBe('ja');
    expect(resolveLocale('system', ['EN-gb', 'ja'])).toBe('en');
    expect(resolveLocale('system', ['de-DE', 'fr'])).toBe('en');
    expect(resolveLocale('system', [])).toBe('en');
  });
});

describe('applyLanguage', () => {
  it('changes every message, date and number at once', () => {
    applyLanguage('ja');
    expect([locale(), document.documentElement.lang]).toEqual(['ja', 'ja']);
    expect(m.settings_save()).toBe('保存');
    expect(formatDate('2027-03-05T12:00:00Z')).toBe('2027/03/05');
    applyLanguage('en');
    expect(m.settings_save()).toBe('Save');
    expect(formatDate('2027-03-05T12:00:00Z')).toBe('Mar 5, 2027');
    expect(formatNumber(5000)).toBe('5,000');
  });
});

describe('around', () => {
  it('gives the text either side of the slot, wherever the language puts it', () => {
    expect(around(`Register ${SLOT} too?`)).toEqual(['Register ', ' too?']);
    expect(around(`${SLOT} も登録しますか?`)).toEqual(['', ' も登録しますか?']);
    expect(around('No slot')).toEqual(['No slot', '']);
  });
});
