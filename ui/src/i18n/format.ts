import { locale } from './index.svelte';

const numbers = new Map<string, Intl.NumberFormat>();

/** A count as the window's language writes it: 5,000. */
export function formatNumber(value: number): string {
  let format = numbers.get(locale());
  if (format === undefined) {
    format = new Intl.NumberFormat(locale());
    numbers.set(locale(), format);
  }
  return format.format(value);
}
