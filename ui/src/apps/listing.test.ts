import { describe, expect, it } from 'vitest';
import type { AppSummary } from '../ipc';
import { filterApps, indexApps, sortApps } from './listing';

function summary(id: string, name: string, extra: Partial<AppSummary> = {}): AppSummary {
  return {
    id,
    name,
    appType: 'confidential',
    scopes: [],
    redirectUris: [],
    secretCount: 0,
    nearestExpiry: null,
    listedOnly: false,
    findings: 0,
    ...extra,
  };
}

const JOBS = summary('aaaa-1111', 'Jobs runner', {
  scopes: [{ name: 'OR.Jobs.Read', type: 'application' }],
  secretCount: 2,
  nearestExpiry: '2027-03-01T00:00:00Z',
});
const PORTAL = summary('bbbb-2222', 'partner Portal', {
  appType: 'nonConfidential',
  scopes: [{ name: 'DataService.Data.Read', type: 'user' }],
});
const BILLING = summary('cccc-3333', 'Billing', { secretCount: 1, nearestExpiry: '2026-12-24T08:00:00Z' });
const APP_10 = summary('dddd-4444', 'App 10', { secretCount: 1 });
const APP_9 = summary('eeee-5555', 'App 9', { appType: 'nonConfidential' });

const ALL = indexApps([JOBS, PORTAL, BILLING, APP_10, APP_9]);
const ids = (items: readonly { app: AppSummary }[]) => items.map((item) => item.app.name);

describe('sortApps', () => {
  it('sorts by name ignoring case, numbers by value', () => {
    expect(ids(sortApps(ALL, 'name'))).toEqual(['App 9', 'App 10', 'Billing', 'Jobs runner', 'partner Portal']);
  });

  it('sorts by type, confidential first, then by name', () => {
    expect(ids(sortApps(ALL, 'type'))).toEqual(['App 10', 'Billing', 'Jobs runner', 'App 9', 'partner Portal']);
  });

  it('sorts by nearest expiry, soonest first, apps without one last by name', () => {
    expect(ids(sortApps(ALL, 'expiry'))).toEqual(['Billing', 'Jobs runner', 'App 9', 'App 10', 'partner Portal']);
  });

  it('leaves its input as it was', () => {
    const before = ids(ALL);
    sortApps(ALL, 'expiry');
    expect(ids(ALL)).toEqual(before);
  });

  it('orders apps of the same name by App ID, so the order is stable', () => {
    const twins = indexApps([summary('b', 'Same'), summary('a', 'same')]);
    expect(sortApps(twins, 'name').map((item) => item.app.id)).toEqual(['a', 'b']);
  });
});

describe('filterApps', () => {
  it('finds by part of the name, ignoring case and surrounding spaces', () => {
    expect(ids(filterApps(ALL, '  PORT ', 'all'))).toEqual(['partner Portal']);
  });

  it('finds by part of the App ID', () => {
    expect(ids(filterApps(ALL, 'cccc-3', 'all'))).toEqual(['Billing']);
  });

  it('finds by part of a scope name', () => {
    expect(ids(filterApps(ALL, 'or.jobs', 'all'))).toEqual(['Jobs runner']);
    expect(ids(filterApps(ALL, 'dataservice', 'all'))).toEqual(['partner Portal']);
  });

  it('does not match across fields', () => {
    expect(filterApps(ALL, 'runneraaaa', 'all')).toEqual([]);
  });

  it('keeps only the chosen type, with or without a query', () => {
    expect(ids(filterApps(ALL, '', 'nonConfidential'))).toEqual(['partner Portal', 'App 9']);
    expect(ids(filterApps(ALL, 'app', 'confidential'))).toEqual(['App 10']);
  });

  it('returns everything, in order, for no query and all types', () => {
    expect(filterApps(ALL, ' ', 'all')).toBe(ALL);
  });
});
