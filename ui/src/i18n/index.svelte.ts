import type { Language } from '../ipc';
import { m } from '../paraglide/messages.js';
import { baseLocale, isLocale, overwriteGetLocale, type Locale } from '../paraglide/runtime.js';

export { m };
export type { Locale };

let current = $state<Locale>(baseLocale);
// Every message reads the locale through here, so a template that shows a message follows a
// change of language without being rebuilt.
overwriteGetLocale(() => current);

/** The language the window speaks. */
export function locale(): Locale {
  return current;
}

/**
 * The locale for a language setting: the chosen one, or else the first of the system's
 * languages Registrar speaks ("ja-JP" is Japanese), or English.
 */
export function resolveLocale(setting: Language, systemLanguages: readonly string[]): Locale {
  if (setting !== 'system') {
    return setting;
  }
  for (const tag of systemLanguages) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (primary !== undefined && isLocale(primary)) {
      return primary;
    }
  }
  return baseLocale;
}

let system: readonly string[] = [];

/** Takes the languages the system prefers, the first the most, for the `system` setting. */
export function setSystemLanguages(tags: readonly string[]): void {
  system = tags;
}

/** Speaks the language `setting` names, at once, and marks the document with it. */
export function applyLanguage(setting: Language): void {
  current = resolveLocale(setting, system);
  document.documentElement.lang = current;
}

/** What a message is given where the window puts an element of its own (a URL set as code). */
export const SLOT = '\u{E000}';

/** The slot of a message that sets two elements of its own. */
export const SECOND_SLOT = '\u{E001}';

/**
 * A message given SLOT and SECOND_SLOT cut at both, each slot kept as a part of its own, so the
 * elements can go wherever the language puts them.
 */
export function cut(message: string): string[] {
  return message.split(/(\u{E000}|\u{E001})/u).filter((part) => part !== '');
}

/**
 * The text before and after the slot of a message given SLOT, so the element can go between in
 * whatever place the language puts it.
 */
export function around(message: string): [string, string] {
  const at = message.indexOf(SLOT);
  return at < 0 ? [message, ''] : [message.slice(0, at), message.slice(at + SLOT.length)];
}
