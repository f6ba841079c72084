import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALL_FEATURES } from '../connections/features';
import { listApps, readApps, type AppSummary, type Features } from '../ipc';
import { BILLING, PORTAL, deferred } from '../testing/fixtures';
import AppList from './AppList.svelte';
import { AppsState } from './apps.svelte';

vi.mock('../ipc/commands');

const listAppsMock = vi.mocked(listApps);
const readAppsMock = vi.mocked(readApps);

function renderList(props: { restoreFocus?: boolean; features?: Features; adminAppId?: string } = {}) {
  const list = new AppsState();
  const onRegister = vi.fn();
  const onOpen = vi.fn();
  render(AppList, { list, features: ALL_FEATURES, onRegister, onOpen, onCopyMany: vi.fn(), ...props });
  return { list, onRegister, onOpen };
}

async function renderLoaded(apps: AppSummary[], features: Features = ALL_FEATURES) {
  listAppsMock.mockResolvedValue(apps);
  const rendered = renderList({ features });
  await rendered.list.load();
  await tick();
  return rendered;
}

function rows(): HTMLElement[] {
  return screen.queryAllByTestId('app-row');
}

function shownIds(): (string | undefined)[] {
  return rows().map((row) => row.dataset.appId);
}

function cells(row: HTMLElement): (string | undefined)[] {
  return [...row.querySelectorAll('[role="cell"]')].map((cell) => cell.textContent?.replace(/\s+/g, ' ').trim());
}

function app(index: number, extra: Partial<AppSummary> = {}): AppSummary {
  return {
    id: `id-${String(index).padStart(5, '0')}`,
    name: `App ${String(index).padStart(5, '0')}`,
    appType: index % 2 === 0 ? 'confidential' : 'nonConfidential',
    scopes: [{ name: `OR.Scope${index}`, type: 'user' }],
    redirectUris: [],
    secretCount: 0,
    nearestExpiry: null,
    listedOnly: false,
    findings: 0,
    ...extra,
  };
}

async function search(text: string) {
  await fireEvent.input(screen.getByTestId('app-search'), { target: { value: text } });
}

async function choose(testid: string, value: string) {
  await fireEvent.change(screen.getByTestId(testid), { target: { value } });
}

beforeEach(() => {
  listAppsMock.mockReset();
  performance.clearMarks();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('AppsState', () => {
  it('tells a refusal of the credentials from other failures', async () => {
    const list = new AppsState();
    listAppsMock.mockRejectedValueOnce({ code: 'unauthorized', message: 'invalid_client', field: null });
    await list.load();
    expect(list.refused).toBe(true);

    listAppsMock.mockRejectedValueOnce({ code: 'network', message: 'The server did not answer.', field: null });
    await list.load();
    expect(list.refused).toBe(false);
    expect(list.error).toBe('The server did not answer.');
  });
});

describe('AppList', () => {
  it('marks the app the connection signs in with, and only that one', async () => {
    listAppsMock.mockResolvedValue([PORTAL, BILLING]);
    const { list } = renderList({ adminAppId: BILLING.id });
    await list.load();
    await tick();

    const [billing, portal] = rows();
    expect(cells(billing)[0]).toBe('Admin app Billing sync');
    expect(billing.querySelector('[role=cell]')?.getAttribute('title')).toContain('locks Registrar out');
    expect(portal.querySelector('[data-testid=app-admin-mark]')).toBeNull();
  });

  it('shows a row per app, sorted by name, with type, App ID, scope count, redirect URLs, expiry and findings', async () => {
    await renderLoaded([PORTAL, BILLING]);

    const [billing, portal] = rows();
    expect(billing.dataset.appId).toBe(BILLING.id);
    expect(cells(billing)).toEqual(['Billing sync', 'Confidential', BILLING.id, '2', 'None', 'Never', '2']);
    expect(cells(portal)).toEqual([
      'Partner portal',
      'Non-confidential',
      PORTAL.id,
      '1',
      'http://127.0.0.1:8400/callback +1 more',
      'No secret',
      '0',
    ]);
    expect(screen.getByRole('table').getAttribute('aria-rowcount')).toBe('3');
    expect(rows().map((row) => row.getAttribute('aria-rowindex'))).toEqual(['2', '3']);
    expect(screen.queryByText(/No applications yet/)).toBeNull();
  });

  it('hints at the nearest expiry: expired, expiring within 30 days, or just the date', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T12:00:00Z'));
    await renderLoaded([
      app(1, { secretCount: 1, nearestExpiry: '2026-05-30T00:00:00Z' }),
      app(2, { secretCount: 2, nearestExpiry: '2026-06-20T00:00:00Z' }),
      app(3, { secretCount: 1, nearestExpiry: '2027-06-20T00:00:00Z' }),
    ]);

    const expiry = rows().map((row) => row.querySelectorAll('[role="cell"]')[5]);
    expect(expiry.map((cell) => cell.querySelector('.status')?.textContent ?? null)).toEqual([
      'Expired',
      'Expires soon',
      null,
    ]);
    expect(expiry.map((cell) => cell.querySelector('time')?.getAttribute('datetime'))).toEqual([
      '2026-05-30T00:00:00Z',
      '2026-06-20T00:00:00Z',
      '2027-06-20T00:00:00Z',
    ]);
  });

  it('shows a busy status while loading, then says what to do when there are no apps', async () => {
    const answer = deferred<AppSummary[]>();
    listAppsMock.mockReturnValue(answer.promise);
    const { list } = renderList();

    const loading = list.load();

    await waitFor(() => expect(screen.getByRole('status').getAttribute('aria-busy')).toBe('true'));
    expect(screen.queryByText(/No applications yet/)).toBeNull();
    answer.resolve([]);
    await loading;
    await waitFor(() => expect(screen.queryByRole('status')).toBeNull());
    expect(
      screen.getByText('No applications yet. Register one to give a developer team API access.'),
    ).toBeTruthy();
    expect(rows()).toHaveLength(0);
  });

  it('shows the error in words and loads again on Retry', async () => {
    listAppsMock.mockRejectedValueOnce({ code: 'network', message: 'The sandbox did not answer.', field: null });
    listAppsMock.mockResolvedValueOnce([BILLING]);
    const { list } = renderList();

    await list.load();

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The sandbox did not answer.');
    expect(screen.queryByText(/No applications yet/)).toBeNull();

    await fireEvent.click(screen.getByRole('button', { name: 'Retry' }));

    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(listAppsMock).toHaveBeenCalledTimes(2);
  });

  it('keeps the newest list when an older load answers last', async () => {
    const older = deferred<AppSummary[]>();
    const newer = deferred<AppSummary[]>();
    listAppsMock.mockReturnValueOnce(older.promise).mockReturnValueOnce(newer.promise);
    const { list } = renderList();

    const first = list.load();
    const second = list.load();
    newer.resolve([BILLING, PORTAL]);
    await second;
    older.resolve([BILLING]);
    await first;
    await tick();

    expect(list.apps).toEqual([BILLING, PORTAL]);
    expect(rows()).toHaveLength(2);
    expect(list.loading).toBe(false);
  });

  it('asks to open the register form', async () => {
    const { onRegister } = await renderLoaded([]);

    await fireEvent.click(screen.getByTestId('register-open'));

    expect(onRegister).toHaveBeenCalledOnce();
    const register = screen.getByTestId('register-open') as HTMLButtonElement;
    expect(register.disabled).toBe(false);
    expect(register.hasAttribute('aria-disabled')).toBe(false);
    expect(register.hasAttribute('aria-describedby')).toBe(false);
    expect(screen.queryByTestId('register-unavailable')).toBeNull();
  });

  it('marks Register aria-disabled, still focusable, and says why when the server cannot register apps', async () => {
    const why = { kind: 'noScopesListed', issuer: 'https://login.example.com' } as const;
    const { onRegister } = await renderLoaded([], { ...ALL_FEATURES, register: why });

    const register = screen.getByTestId('register-open') as HTMLButtonElement;
    expect(register.disabled).toBe(false);
    expect(register.getAttribute('aria-disabled')).toBe('true');
    register.focus();
    expect(document.activeElement).toBe(register);
    const reason = screen.getByTestId('register-unavailable');
    const says = 'https://login.example.com does not list its scopes (scopes_supported), so there are none to choose from.';
    expect(reason.textContent).toBe(says);
    expect(register.getAttribute('aria-describedby')).toBe(reason.id);
    expect(screen.getByRole('button', { name: 'Register application', description: says })).toBe(register);

    await fireEvent.click(register);

    expect(onRegister).not.toHaveBeenCalled();
    expect(screen.getByText('No applications yet.')).toBeTruthy();
  });

  it('searches by name, App ID and scope, ignoring case', async () => {
    await renderLoaded([BILLING, PORTAL, app(7)]);

    await search('PARTNER');
    expect(shownIds()).toEqual([PORTAL.id]);
    await search('5f0c7e0e');
    expect(shownIds()).toEqual([BILLING.id]);
    await search('or.jobs.read');
    expect(shownIds()).toEqual([BILLING.id]);
    await search('dataservice');
    expect(shownIds()).toEqual([PORTAL.id]);
    expect(screen.getByText('1 of 3')).toBeTruthy();
  });

  it('sorts by nearest expiry, soonest first and apps without one last', async () => {
    await renderLoaded([
      app(1, { secretCount: 1, nearestExpiry: '2027-05-01T00:00:00Z' }),
      app(2),
      app(3, { secretCount: 1, nearestExpiry: '2026-12-01T00:00:00Z' }),
      app(4, { secretCount: 1 }),
    ]);

    await choose('app-sort', 'expiry');

    expect(shownIds()).toEqual(['id-00003', 'id-00001', 'id-00002', 'id-00004']);
    const header = screen.getByRole('columnheader', { name: 'Nearest expiry' });
    expect(header.getAttribute('aria-sort')).toBe('ascending');
    await choose('app-sort', 'type');
    expect(shownIds()).toEqual(['id-00002', 'id-00004', 'id-00001', 'id-00003']);
  });

  it('filters by type, also together with the search', async () => {
    await renderLoaded([BILLING, PORTAL, app(1), app(2)]);

    await choose('app-type-filter', 'nonConfidential');
    expect(shownIds()).toEqual(['id-00001', PORTAL.id]);
    await choose('app-type-filter', 'confidential');
    expect(shownIds()).toEqual(['id-00002', BILLING.id]);
    await search('billing');
    expect(shownIds()).toEqual([BILLING.id]);
  });

  it('says when no app matches, unlike an empty list, and Clear shows them all again', async () => {
    const { list } = await renderLoaded([BILLING, PORTAL]);

    await choose('app-type-filter', 'confidential');
    await search('portal');

    expect(rows()).toHaveLength(0);
    expect(screen.getByText('No confidential application matches “portal”.')).toBeTruthy();
    expect(screen.queryByText(/No applications yet/)).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Clear' }));

    expect(shownIds()).toEqual([BILLING.id, PORTAL.id]);
    expect(list.query).toBe('');
    expect((screen.getByTestId('app-search') as HTMLInputElement).value).toBe('');
    expect((screen.getByTestId('app-type-filter') as HTMLSelectElement).value).toBe('all');
  });

  it('renders only a window of rows for 5,000 apps, and the rows in view as it scrolls', async () => {
    const many = Array.from({ length: 5000 }, (_, index) => app(index));
    await renderLoaded(many);

    const table = screen.getByRole('table');
    expect(table.getAttribute('aria-rowcount')).toBe('5001');
    const first = rows();
    expect(first.length).toBeGreaterThan(10);
    expect(first.length).toBeLessThan(50);
    expect(first[0].dataset.appId).toBe('id-00000');

    table.scrollTop = 40 * 2500;
    await fireEvent.scroll(table);

    const scrolled = rows();
    expect(scrolled.length).toBeLessThan(50);
    const indexes = scrolled.map((row) => Number(row.getAttribute('aria-rowindex')));
    expect(indexes).toContain(2500 + 2);
    expect(Math.min(...indexes)).toBeGreaterThan(2400);
    const row = scrolled.find((r) => r.getAttribute('aria-rowindex') === '2502')!;
    expect(row.dataset.appId).toBe('id-02500');
    expect(row.style.top).toBe(`${2500 * 40}px`);

    await search('app 04999');
    expect(shownIds()).toEqual(['id-04999']);
    expect(table.getAttribute('aria-rowcount')).toBe('2');
  });

  it('opens an app on click and on Enter; arrows move focus between rows', async () => {
    const { onOpen } = await renderLoaded([app(1), app(2), app(3)]);
    const [first, second] = rows();
    expect(rows().map((row) => row.tabIndex)).toEqual([0, -1, -1]);

    await fireEvent.click(second);
    expect(onOpen).toHaveBeenLastCalledWith('id-00002');

    first.focus();
    await fireEvent.keyDown(first, { key: 'ArrowDown' });
    await waitFor(() => expect(document.activeElement).toBe(second));
    expect(rows().map((row) => row.tabIndex)).toEqual([-1, 0, -1]);
    await fireEvent.keyDown(second, { key: 'End' });
    await waitFor(() => expect(document.activeElement).toBe(rows()[2]));
    await fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(onOpen).toHaveBeenLastCalledWith('id-00003');
  });

  it('gives focus back to the row of the app it came back from', async () => {
    listAppsMock.mockResolvedValue([app(1), app(2)]);
    const list = new AppsState();
    await list.load();
    list.activeId = 'id-00002';

    render(AppList, { list, features: ALL_FEATURES, onRegister: vi.fn(), onOpen: vi.fn(), onCopyMany: vi.fn(), restoreFocus: true });

    await waitFor(() => expect((document.activeElement as HTMLElement).dataset.appId).toBe('id-00002'));
  });

  it('marks when the data arrives and when its rows are painted, and the same for a search', async () => {
    await renderLoaded([BILLING, PORTAL]);

    await waitFor(() => expect(performance.getEntriesByName('apps:painted')).toHaveLength(1));
    const [data] = performance.getEntriesByName('apps:data');
    const [painted] = performance.getEntriesByName('apps:painted');
    expect(data.startTime).toBeLessThanOrEqual(painted.startTime);

    await search('bill');

    await waitFor(() => expect(performance.getEntriesByName('apps:filter-painted')).toHaveLength(1));
    const [input] = performance.getEntriesByName('apps:filter-input');
    const [filtered] = performance.getEntriesByName('apps:filter-painted');
    expect(input.startTime).toBeLessThanOrEqual(filtered.startTime);
  });

  it('says a reload is under way in the toolbar, so the rows stay where the pointer is', async () => {
    const { list } = await renderLoaded([BILLING, PORTAL]);
    const reload = deferred<AppSummary[]>();
    listAppsMock.mockReturnValueOnce(reload.promise);

    const loading = list.load(true);
    await tick();

    const status = screen.getByText('Loading applications…');
    expect(status.closest('.toolbar')).toBe(screen.getByTestId('register-open').closest('.toolbar'));
    expect(shownIds()).toEqual([BILLING.id, PORTAL.id]);
    reload.resolve([BILLING, PORTAL]);
    await loading;
  });

  it('shows the names a bare list gives at once, then the scopes and expiry of each app as it is read', async () => {
    const bare = { scopes: [], secretCount: 0, nearestExpiry: null, listedOnly: true, findings: null };
    const reads = deferred<void>();
    let send: (app: AppSummary) => void = () => {};
    readAppsMock.mockReset().mockImplementation((_ids, onApp) => {
      send = onApp;
      return reads.promise;
    });
    await renderLoaded([app(1, bare), app(2, bare)]);

    expect(readAppsMock).toHaveBeenCalledWith(['id-00001', 'id-00002'], expect.any(Function));
    expect(cells(rows()[0])).toEqual(['App 00001', 'Non-confidential', 'id-00001', '…', 'None', '…', '…']);
    expect(screen.getByTestId('apps-reading').textContent).toContain('0 of 2');

    send(app(1, { secretCount: 1, nearestExpiry: '2031-01-31T00:00:00Z' }));
    await waitFor(() => expect(cells(rows()[0])[3]).toBe('1'));
    expect(cells(rows()[0])[5]).toContain('2031');
    expect(cells(rows()[0])[6]).toBe('0');
    expect(cells(rows()[1])[3]).toBe('…');
    expect(screen.getByTestId('apps-reading').textContent).toContain('1 of 2');
    // What has come is searchable: the scope names are indexed.
    await search('or.scope1');
    expect(shownIds()).toEqual(['id-00001']);
    await search('');

    send(app(2));
    reads.resolve();
    await waitFor(() => expect(screen.queryByTestId('apps-reading')).toBeNull());
    expect(cells(rows()[1])[3]).toBe('1');
    expect(cells(rows()[1])[5]).toBe('No secret');
  });

  it('says when reading the apps stopped, and Retry reads those still missing', async () => {
    const bare = { scopes: [], secretCount: 0, nearestExpiry: null, listedOnly: true, findings: null };
    readAppsMock.mockReset().mockImplementationOnce(async (_ids, onApp) => {
      onApp(app(1));
      throw { code: 'server', message: 'The server failed (HTTP 503).', field: null };
    });
    await renderLoaded([app(1, bare), app(2, bare)]);

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The server failed (HTTP 503).');
    expect(cells(rows()[0])[3]).toBe('1');

    readAppsMock.mockImplementationOnce(async (_ids, onApp) => onApp(app(2)));
    await fireEvent.click(screen.getByRole('button', { name: 'Retry' }));

    expect(readAppsMock).toHaveBeenLastCalledWith(['id-00002'], expect.any(Function));
    await waitFor(() => expect(cells(rows()[1])[3]).toBe('1'));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
