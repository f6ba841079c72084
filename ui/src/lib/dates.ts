import { locale } from '../i18n/index.svelte';
import type { SecretStatus } from '../ipc';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A secret that expires within this many days is flagged, as the Rust side does. */
export const EXPIRING_SOON_DAYS = 30;

/** The status of a secret expiring at `expires` (RFC 3339), seen at `now`. */
export function expiryStatus(expires: string, now: Date): SecretStatus {
  const left = Date.parse(expires) - now.getTime();
  if (left <= 0) {
    return 'expired';
  }
  return left <= EXPIRING_SOON_DAYS * DAY_MS ? 'expiringSoon' : 'active';
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The format of `style` in the window's language, made once per language. */
function format(style: 'date' | 'dateTime'): Intl.DateTimeFormat {
  const key = `${locale()} ${style}`;
  let made = formats.get(key);
  if (made === undefined) {
    const options: Intl.DateTimeFormatOptions =
      style === 'date' ? { dateStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' };
    made = new Intl.DateTimeFormat(locale(), options);
    formats.set(key, made);
  }
  return made;
}

/** An RFC 3339 time as a date in the window's language and the user's time zone. */
export function formatDate(iso: string): string {
  return format('date').format(new Date(iso));
}

/** An RFC 3339 time as a date and time in the window's language and the user's time zone. */
export function formatDateTime(iso: string): string {
  return format('dateTime').format(new Date(iso));
}

/** The last second of the local day `days` days after the day of `date`. */
export function endOfDayAfter(date: Date, days: number): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days, 23, 59, 59);
}

/** The local day of `date` as a date input writes it: 2027-01-31. */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The last second of a local day written as a date input writes it, or null if it is no date. */
export function endOfLocalDay(day: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) {
    return null;
  }
  const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const end = new Date(year, month, date, 23, 59, 59);
  return end.getMonth() === month && end.getDate() === date ? end : null;
}
