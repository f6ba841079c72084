import { describe, expect, it } from 'vitest';
import { endOfDayAfter, endOfLocalDay, expiryStatus, localDay } from './dates';

const NOW = new Date('2026-06-01T12:00:00Z');

describe('expiryStatus', () => {
  it.each([
    ['2026-06-01T11:59:59Z', 'expired'],
    ['2026-06-01T12:00:00Z', 'expired'],
    ['2026-06-01T12:00:01Z', 'expiringSoon'],
    ['2026-07-01T12:00:00Z', 'expiringSoon'],
    ['2026-07-01T12:00:01Z', 'active'],
    ['2030-01-01T00:00:00Z', 'active'],
  ])('of %s is %s', (expires, status) => {
    expect(expiryStatus(expires, NOW)).toBe(status);
  });
});

describe('days', () => {
  it('finds the end of the local day some days on, across month ends', () => {
    expect(endOfDayAfter(new Date(2026, 0, 31, 9, 30), 30)).toEqual(new Date(2026, 2, 2, 23, 59, 59));
    expect(endOfDayAfter(new Date(2026, 0, 31, 9, 30), 0)).toEqual(new Date(2026, 0, 31, 23, 59, 59));
  });

  it('reads and writes the local day as a date input does', () => {
    expect(localDay(new Date(2027, 1, 3, 23, 0))).toBe('2027-02-03');
    expect(endOfLocalDay('2027-02-03')).toEqual(new Date(2027, 1, 3, 23, 59, 59));
  });

  it.each(['', '2027-2-3', '2027-02-30', '2027-13-01', 'tomorrow'])('takes %j for no day', (day) => {
    expect(endOfLocalDay(day)).toBeNull();
  });
});
