// The message catalogs: Japanese says everything English says, with the same placeholders.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const UI = join(__dirname, '../..');
const settings = JSON.parse(readFileSync(join(UI, 'project.inlang/settings.json'), 'utf8')) as {
  locales: string[];
  'plugin.inlang.messageFormat': { pathPattern: string[] };
};
const AREAS = settings['plugin.inlang.messageFormat'].pathPattern.map((pattern) => {
  const area = /^\.\/messages\/([a-z]+)\/\{locale\}\.json$/.exec(pattern)?.[1];
  if (area === undefined) {
    throw new Error(`The catalog path ${pattern} is not messages/<area>/{locale}.json.`);
  }
  return area;
});

/** Messages whose Japanese is rightly the same as the English: names and codes. */
const SAME_IN_JAPANESE = new Set<string>([]);

type Catalog = Record<string, unknown>;

function catalog(area: string, locale: string): Catalog {
  const { $schema: _, ...messages } = JSON.parse(readFileSync(join(UI, 'messages', area, `${locale}.json`), 'utf8')) as Catalog;
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
    const differing = Object.keys(en).filter((key) => placeholders(en[key]).join() !== placeholders(ja[key]).join());
    expect(differing).toEqual([]);
  });

  it('writes each Japanese message in Japanese', () => {
    const japanese = /[\u3040-\u30ff\u3400-\u9fff]/;
    const english = Object.keys(ja).filter((key) => !japanese.test(text(ja[key])) && !SAME_IN_JAPANESE.has(key));
    expect(english).toEqual([]);
  });
});

it('gives no message two meanings across areas', () => {
  const keys = AREAS.flatMap((area) => Object.keys(catalog(area, 'en')));
  expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
});
