import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { applyLanguage } from './i18n/index.svelte';
import { deleteApp, getApp, getCatalog, getSettings, lintApp, listApps, registerApp } from './ipc';
import { copyText, listConnections, selectConnection } from './ipc';
import { ACME, BILLING, BILLING_DETAILS, CATALOG, CONNECTIONS, LOGIN_SERVER, PORTAL, SANDBOX } from './testing/fixtures';

vi.mock('./ipc/commands');
vi.mock('./ipc/clipboard');

beforeEach(() => {
  vi.mocked(lintApp).mockReset().mockResolvedValue({ findings: [], dismissed: [] });
  vi.mocked(listConnections).mockReset().mockResolvedValue(CONNECTIONS);
  vi.mocked(selectConnection).mockReset();
  vi.mocked(listApps).mockReset().mockResolvedValue([PORTAL]);
  vi.mocked(getCatalog).mockReset().mockResolvedValue(CATALOG);
  vi.mocked(registerApp).mockReset();
  vi.mocked(getApp).mockReset().mockResolvedValue(BILLING_DETAILS);
  vi.mocked(deleteApp).mockReset().mockResolvedValue(null);
  vi.mocked(getSettings).mockReset().mockResolvedValue({ clipboardClearSeconds: 30, maxSecretAgeDays: 730, expiryAlerts: true, alertDays: [30, 7, 1], theme: 'system', language: 'system' });
});

afterEach(() => applyLanguage('en'));

async function renderApp() {
  render(App);
  await screen.findAllByTestId('app-row');
}

/** Opens Billing sync from a list of two and deletes it by its name, back to the list. */
async function deleteBillingSync() {
    vi.mocked(listApps).mockResolvedValue([BILLING, PORTAL]);
    await renderApp();
    await fireEvent.click(screen.getAllByTestId('app-row')[0]);
    await screen.findByRole('heading', { level: 2, name: 'Billing sync' });
    await fireEvent.click(screen.getByTestId('app-delete'));
    await fireEvent.input(screen.getByTestId('delete-confirm-name'), { target: { value: 'Billing sync' } });
    await fireEvent.click(screen.getByTestId('confirm-delete-app'));
    await waitFor(() => expect(screen.queryByTestId('app-page')).toBeNull());
}

/** Fills the open Register form with Billing sync (one application scope) and submits it. */
async function fillAndRegister() {
  await screen.findAllByRole('checkbox');
  await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Billing sync' } });
  await fireEvent.click(document.querySelector('[data-scope="OR.Jobs"][data-scope-type="application"]')!);
  await fireEvent.click(screen.getByTestId('register-submit'));
}

describe('App', () => {
  it('shows the connection with its identity URL as text', async () => {
    await renderApp();

    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Registrar');
    expect((screen.getByTestId('connection-switch') as HTMLSelectElement).value).toBe(SANDBOX.id);
    expect(screen.getByTestId('connection-url').textContent).toBe(SANDBOX.identityUrl);
  });

  it('copies the identity URL with the icon beside it, which turns to a tick for a moment', async () => {
    await renderApp();

    const copy = screen.getByRole('button', { name: 'Copy identity URL' });
    expect(copy.textContent?.trim()).toBe('');
    expect(copy.parentElement?.previousElementSibling).toBe(screen.getByTestId('connection-url'));
    await fireEvent.click(copy);

    await waitFor(() => expect(copy.dataset.copied).toBe('true'));
    expect(copyText).toHaveBeenCalledExactlyOnceWith(SANDBOX.identityUrl);
    expect(copy.title).toBe('Copied');
  });

  it('tells the pages what the server of the connection in use cannot do', async () => {
    const server = { ...LOGIN_SERVER, features: { ...LOGIN_SERVER.features, register: { kind: 'noRegistrationEndpoint' as const, issuer: 'https://login.example.com' } } };
    vi.mocked(listConnections).mockResolvedValue({ connections: [SANDBOX, server], currentId: server.id, notice: null });
    vi.mocked(listApps).mockResolvedValue([BILLING]);

    await renderApp();

    expect(screen.getByTestId('register-open').getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByTestId('register-unavailable').textContent).toBe('https://login.example.com takes no registrations: its metadata names no registration endpoint.');
    await fireEvent.click(screen.getByTestId('app-row'));
    await screen.findByRole('heading', { level: 2, name: 'Billing sync' });
    expect(screen.getAllByTestId('secret-delete').every((button) => button.getAttribute('aria-disabled') === 'true')).toBe(true);
    expect(screen.getByTestId('secret-delete-unavailable').textContent).toBe('This server keeps one secret per app: replace it with a new one instead.');
    expect(screen.getByTestId('secret-generate').textContent?.trim()).toBe('Replace secret');
  });

  it('offers everything on a UiPath server', async () => {
    await renderApp();

    expect(screen.getByTestId('register-open').hasAttribute('aria-disabled')).toBe(false);
    expect(screen.queryByTestId('register-unavailable')).toBeNull();
  });

  it('says when the connection cannot be read', async () => {
    vi.mocked(listConnections).mockRejectedValue({ code: 'storage', message: 'The settings file is unreadable.', field: null });

    await renderApp();

    expect(screen.getByRole('alert').textContent).toContain('The settings file is unreadable.');
    expect(screen.queryByTestId('connection-url')).toBeNull();
  });

  it('switches connections from the header and reads the apps of the new one', async () => {
    await renderApp();
    vi.mocked(selectConnection).mockResolvedValue(ACME);
    vi.mocked(listConnections).mockResolvedValue({ ...CONNECTIONS, currentId: ACME.id });
    vi.mocked(listApps).mockResolvedValue([BILLING]);

    await fireEvent.input(screen.getByTestId('app-search'), { target: { value: 'portal' } });

    await fireEvent.change(screen.getByTestId('connection-switch'), { target: { value: ACME.id } });

    expect(selectConnection).toHaveBeenCalledWith(ACME.id);
    await waitFor(() =>
      expect(screen.getAllByTestId('app-row').map((row) => row.dataset.appId)).toEqual([BILLING.id]),
    );
    expect((screen.getByTestId('app-search') as HTMLInputElement).value).toBe('');
    expect(screen.getByTestId('connection-url').textContent).toBe(ACME.identityUrl);
    expect(screen.getByText('Now working on “Acme production”.')).toBeTruthy();
  });

  it('keeps showing the connection in use when a switch fails, and says why', async () => {
    await renderApp();
    vi.mocked(selectConnection).mockRejectedValue({
      code: 'keychain',
      message: 'The keychain has no sign-in for “Acme production”.',
      field: null,
    });
    const switcher = screen.getByTestId('connection-switch') as HTMLSelectElement;

    await fireEvent.change(switcher, { target: { value: ACME.id } });

    expect((await screen.findByTestId('connection-switch-error')).textContent).toContain(
      'The keychain has no sign-in for “Acme production”.',
    );
    expect(switcher.value).toBe(SANDBOX.id);
    expect(screen.getByTestId('connection-url').textContent).toBe(SANDBOX.identityUrl);
  });

  it('says once why the window opened on the sandbox instead of the chosen connection', async () => {
    const why = '“Acme production” could not be opened, so the sandbox is shown. The keychain has no sign-in.';
    vi.mocked(listConnections).mockResolvedValue({ ...CONNECTIONS, notice: why });

    await renderApp();
    expect(screen.getByText(why)).toBeTruthy();

    await fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(listConnections).toHaveBeenCalledTimes(2));
    expect(screen.queryByText(why)).toBeNull();
  });

  it('opens the settings from the header, and Cancel closes them', async () => {
    await renderApp();

    await fireEvent.click(screen.getByTestId('settings-open'));

    expect(((await screen.findByTestId('settings-clear-seconds')) as HTMLInputElement).value).toBe('30');
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('reads the connection and the list again on Refresh', async () => {
    await renderApp();
    vi.mocked(listApps).mockResolvedValue([PORTAL, BILLING]);

    await fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));

    await waitFor(() => expect(screen.getAllByTestId('app-row')).toHaveLength(2));
    expect(listConnections).toHaveBeenCalledTimes(2);
  });

  it('registers an app, shows its secret once, and lists it after Close', async () => {
    vi.mocked(registerApp).mockResolvedValue({ app: BILLING, secret: 'only-once' });
    await renderApp();
    const opener = screen.getByTestId('register-open');
    opener.focus();

    await fireEvent.click(opener);
    await fillAndRegister();

    const dialog = await screen.findByTestId('secret-dialog');
    expect(screen.queryByTestId('register-form')).toBeNull();
    expect(screen.getByTestId('result-secret').textContent).toBe('only-once');
    expect(dialog.contains(document.activeElement)).toBe(true);

    vi.mocked(listApps).mockResolvedValue([PORTAL, BILLING]);
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.getByTestId('secret-dialog')).toBeTruthy();
    expect((screen.getByTestId('result-close') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('result-stored'));
    await fireEvent.click(screen.getByTestId('result-close'));

    expect(screen.queryByTestId('secret-dialog')).toBeNull();
    expect(document.body.textContent).not.toContain('only-once');
    await waitFor(() =>
      expect(screen.getAllByTestId('app-row').map((row) => row.dataset.appId)).toEqual([BILLING.id, PORTAL.id]),
    );
    // The new app's row is the list's selected one.
    const selected = screen.getAllByTestId('app-row').map((row) => row.dataset.active);
    expect(selected).toEqual(['true', 'false']);
    // The session's reads of the other apps still hold: only the new one is read.
    expect(listApps).toHaveBeenLastCalledWith(false);
    expect(document.activeElement).toBe(opener);
  });

  it('leads from the registration’s result to the new app’s page, with no stale notice', async () => {
    vi.mocked(registerApp).mockResolvedValue({ app: BILLING, secret: 'only-once' });
    await renderApp();
    await fireEvent.click(screen.getByTestId('register-open'));
    await fillAndRegister();
    await screen.findByTestId('secret-dialog');

    await fireEvent.click(screen.getByTestId('result-stored'));
    await fireEvent.click(screen.getByTestId('result-open'));

    expect(await screen.findByTestId('app-page')).toBeTruthy();
    expect(getApp).toHaveBeenCalledWith(BILLING.id);
    expect(document.body.textContent).not.toContain('only-once');
  });

  it('lists an app the server registered although the answer was lost, once the form is closed', async () => {
    vi.mocked(registerApp).mockRejectedValue({
      code: 'conflict',
      message: 'Registrar read the list again: "Billing sync" was registered all the same (App ID b1).',
      field: null,
    });
    await renderApp();
    await fireEvent.click(screen.getByTestId('register-open'));
    await fillAndRegister();
    await screen.findByText(/was registered all the same/);
    vi.mocked(listApps).mockResolvedValue([PORTAL, BILLING]);

    await fireEvent.click(screen.getByRole('button', { name: 'Close' }));

    await waitFor(() => expect(screen.getAllByTestId('app-row')).toHaveLength(2));
  });

  it('closes the register form on Escape and gives focus back', async () => {
    await renderApp();
    const opener = screen.getByTestId('register-open');
    opener.focus();

    await fireEvent.click(opener);
    const form = await screen.findByTestId('register-form');
    expect(form.contains(document.activeElement)).toBe(true);
    await fireEvent.keyDown(document.activeElement!, { key: 'Escape' });

    expect(screen.queryByTestId('register-form')).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(registerApp).not.toHaveBeenCalled();
  });

  it('keeps focus inside an open dialog', async () => {
    await renderApp();
    await fireEvent.click(screen.getByTestId('register-open'));
    const form = await screen.findByTestId('register-form');

    screen.getByRole('button', { name: 'Refresh' }).focus();

    expect(form.contains(document.activeElement)).toBe(true);
  });

  it('opens an app from its row and comes back to the list, focus on that row', async () => {
    vi.mocked(listApps).mockResolvedValue([BILLING, PORTAL]);
    await renderApp();
    await fireEvent.input(screen.getByTestId('app-search'), { target: { value: 'billing' } });

    await fireEvent.keyDown(screen.getByTestId('app-row'), { key: 'Enter' });

    const page = await screen.findByTestId('app-page');
    expect(screen.queryByTestId('app-row')).toBeNull();
    expect(getApp).toHaveBeenCalledExactlyOnceWith(BILLING.id);
    await screen.findByRole('heading', { level: 2, name: 'Billing sync' });
    expect(document.activeElement).toBe(page);

    await fireEvent.click(screen.getByTestId('app-back'));

    expect(screen.queryByTestId('app-page')).toBeNull();
    expect((screen.getByTestId('app-search') as HTMLInputElement).value).toBe('billing');
    await waitFor(() => expect((document.activeElement as HTMLElement).dataset.appId).toBe(BILLING.id));
    expect(listApps).toHaveBeenCalledOnce();
  });

  it('Refresh on an app page reads the app again, and the list on the way back', async () => {
    await renderApp();
    await fireEvent.click(screen.getByTestId('app-row'));
    await screen.findByRole('heading', { level: 2, name: 'Billing sync' });

    await fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));

    await waitFor(() => expect(getApp).toHaveBeenCalledTimes(2));
    expect(listApps).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByTestId('app-back'));
    await waitFor(() => expect(listApps).toHaveBeenCalledTimes(2));
    expect(listApps).toHaveBeenLastCalledWith(true);
  });

  it('Refresh on the list asks for every app as the server has it now', async () => {
    await renderApp();
    await screen.findAllByTestId('app-row');
    expect(listApps).toHaveBeenLastCalledWith(false);

    await fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));

    await waitFor(() => expect(listApps).toHaveBeenCalledTimes(2));
    expect(listApps).toHaveBeenLastCalledWith(true);
  });

  it('goes back to the list without an app once it is deleted', async () => {
    await deleteBillingSync();
    expect(screen.getAllByTestId('app-row').map((row) => row.dataset.appId)).toEqual([PORTAL.id]);
    expect(screen.getByRole('status').textContent).toBe('“Billing sync” was deleted.');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('app-search')));
  });

  it('says what is already on screen in the language chosen, at once', async () => {
    await deleteBillingSync();

    applyLanguage('ja');
    flushSync();

    expect(screen.getByRole('status').textContent).toBe('「Billing sync」を削除しました。');
    expect(screen.getByTestId('settings-open').textContent).toBe('設定');
    expect(screen.getAllByRole('columnheader')[0]?.textContent?.trim()).toBe('名前');
    expect(screen.getByRole('button', { name: 'Identity Server の URL をコピー' })).toBeTruthy();
  });
});
