import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { tick } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { listApps, type AppSummary } from '../ipc';
import { BILLING, PORTAL, deferred } from '../testing/fixtures';
import AppList from './AppList.svelte';
import { AppsState } from './apps.svelte';

vi.mock('../ipc/commands');

const listAppsMock = vi.mocked(listApps);

function renderList() {
  const list = new AppsState();
  const onRegister = vi.fn();
  render(AppList, { list, onRegister });
  return { list, onRegister };
}

function rows(): HTMLElement[] {
  return screen.queryAllByTestId('app-row');
}

beforeEach(() => {
  listAppsMock.mockReset();
});

describe('AppList', () => {
  it('shows one row per app with its type, App ID, scope count and redirect URLs', async () => {
    listAppsMock.mockResolvedValue([BILLING, PORTAL]);
    const { list } = renderList();

    await list.load();

    await waitFor(() => expect(rows()).toHaveLength(2));
    const [billing, portal] = rows();
    expect(billing.dataset.appId).toBe(BILLING.id);
    expect(portal.dataset.appId).toBe(PORTAL.id);
    const cells = (row: HTMLElement) => [...row.querySelectorAll('td')].map((td) => td.textContent?.trim());
    expect(cells(billing)).toEqual(['Billing sync', 'Confidential', BILLING.id, '2', 'None']);
    expect(cells(portal).slice(0, 4)).toEqual(['Partner portal', 'Non-confidential', PORTAL.id, '1']);
    expect([...portal.querySelectorAll('li')].map((li) => li.textContent)).toEqual(PORTAL.redirectUris);
    expect(screen.queryByText(/No applications yet/)).toBeNull();
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
    listAppsMock.mockResolvedValue([]);
    const { onRegister } = renderList();

    await fireEvent.click(screen.getByTestId('register-open'));

    expect(onRegister).toHaveBeenCalledOnce();
  });
});
