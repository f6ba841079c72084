// The message catalogs: Japanese says everything English says, with the same placeholders.
import { describe, expect, it } from 'vitest';
import settings from '../../project.inlang/settings.json';

type Catalog = Record<string, unknown>;

/** Messages that name the kind of failure in Japanese only, each with why English leaves it out. */
const KIND_ONLY_IN_JAPANESE: Record<string, string> = {
  ipc_error_shown: "Rust's English message says itself what kind of failure it is.",
};

const CATALOGS: Record<string, Catalog> = import.meta.glob('../../messages/*/*.json', { eager: true, import: 'default' });
const AREAS = settings['plugin.inlang.messageFormat'].pathPattern.map((pattern) => {
  const area = /^\.\/messages\/([a-z]+)\/\{locale\}\.json$/.exec(pattern)?.[1];
  if (area === undefined) {
    throw new Error(`The catalog path ${pattern} is not messages/<area>/{locale}.json.`);
  }
  return area;
});

/** Messages whose Japanese is rightly the same as the English: names and codes. */
const SAME_IN_JAPANESE = new Set<string>([
  // Product names, which UiPath's Japanese portal writes in English too.
  'connections_kind_uipath_cloud',
  'connections_kind_uipath_suite',
  'connections_kind_cloud',
  'connections_kind_suite',
]);

function catalog(area: string, locale: string): Catalog {
  const file = CATALOGS[`../../messages/${area}/${locale}.json`];
  if (file === undefined) {
    throw new Error(`messages/${area}/${locale}.json is missing.`);
  }
  const { $schema: _, ...messages } = file;
  return messages;
}

/** The placeholders a message fills, as `{name}`, in every variant. */
function placeholders(message: unknown): string[] {
  const text = JSON.stringify(message);
  const inputs = new Set([...text.matchAll(/\{([A-Za-z]\w*)\}/g)].map((match) => match[1] ?? ''));
  return [...inputs].sort();
}

/** The text of a message, all variants together. */
function text(message: unknown): string {
  return typeof message === 'string' ? message : JSON.stringify(message);
}

describe.each(AREAS)('the %s catalog', (area) => {
  const en = catalog(area, 'en');
  const ja = catalog(area, 'ja');

  it('has the same messages in Japanese as in English', () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
  });

  it('names each message after its area', () => {
    expect(Object.keys(en).filter((key) => !key.startsWith(`${area}_`))).toEqual([]);
  });

  it('fills the same placeholders in Japanese', () => {
    const differing = Object.keys(en).filter(
      (key) => placeholders(en[key]).join() !== placeholders(ja[key]).join() && !(key in KIND_ONLY_IN_JAPANESE),
    );
    expect(differing).toEqual([]);
  });

  it('writes each Japanese message in Japanese', () => {
    // Kana, kanji, or Japanese punctuation alone (「{name}」).
    const japanese = /[\u3000-\u30ff\u3400-\u9fff\uff01-\uff60]/;
    const english = Object.keys(ja).filter((key) => !japanese.test(text(ja[key])) && !SAME_IN_JAPANESE.has(key));
    expect(english).toEqual([]);
  });
});

it('gives no message two meanings across areas', () => {
  const keys = AREAS.flatMap((area) => Object.keys(catalog(area, 'en')));
  expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
});
