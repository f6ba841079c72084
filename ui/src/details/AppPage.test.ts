import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALL_FEATURES } from '../connections/features';
import { CatalogState } from '../editor/catalog.svelte';
import {
  copyCurl,
  copySecret,
  copyText,
  deleteApp,
  deleteSecret,
  exportHandoff,
  generateSecret,
  getApp,
  getCatalog,
  cancelRotation,
  finishRotation,
  planUpdate,
  startRotation,
  updateApp,
  verifyApp,
  type AppDetails,
  type Features,
  type GeneratedSecret,
  type Verification,
  lintApp,
} from '../ipc';
import { BILLING_DETAILS, CATALOG, LOGIN_SERVER, PORTAL, deferred } from '../testing/fixtures';
import AppPage from './AppPage.svelte';

vi.mock('../ipc/commands');
vi.mock('../ipc/clipboard');

const getAppMock = vi.mocked(getApp);
const generateMock = vi.mocked(generateSecret);
const deleteSecretMock = vi.mocked(deleteSecret);
const deleteAppMock = vi.mocked(deleteApp);
const verifyMock = vi.mocked(verifyApp);

/** Billing sync right after this session generated its newest secret. */
const HELD: AppDetails = { ...BILLING_DETAILS, holdsSecret: true, heldSecretId: 11 };

const PORTAL_DETAILS: AppDetails = {
  id: PORTAL.id,
  name: PORTAL.name,
  appType: 'nonConfidential',
  redirectUris: PORTAL.redirectUris,
  scopes: PORTAL.scopes,
  secrets: [],
  holdsSecret: false,
  heldSecretId: null,
  unmanaged: null,
  replacedSecret: null,
  rotation: null,
};

const GENERATED: GeneratedSecret = {
  secret: { id: 13, description: 'Rotation', created: '2026-06-01T13:00:00Z', expires: null, status: 'active' },
  value: 'v4lu3-0nc3',
};

async function renderPage(details: AppDetails = BILLING_DETAILS, features: Features = ALL_FEATURES) {
  getAppMock.mockResolvedValue(details);
  const props = { onBack: vi.fn(), onChanged: vi.fn(), onDeleted: vi.fn(), onCopied: vi.fn() };
  render(AppPage, { appId: details.id, catalog: new CatalogState(), features, ...props });
  await screen.findByRole('heading', { level: 2, name: details.name });
  return props;
}

function card(title: string): HTMLElement {
  return screen.getByRole('region', { name: title });
}

function secretRow(id: number): HTMLElement {
  return document.querySelector(`[data-testid="secret-row"][data-secret-id="${id}"]`) as HTMLElement;
}

beforeEach(() => {
  vi.mocked(lintApp).mockReset().mockResolvedValue({ findings: [], dismissed: [] });
  vi.mocked(getCatalog).mockReset().mockResolvedValue(CATALOG);
  vi.mocked(copyText).mockReset().mockResolvedValue();
  vi.mocked(copySecret).mockReset().mockResolvedValue({ clearsInSeconds: 30, copy: 1 });
  getAppMock.mockReset();
  generateMock.mockReset();
  deleteSecretMock.mockReset();
  deleteAppMock.mockReset();
  verifyMock.mockReset();
  vi.mocked(copyCurl).mockReset();
  vi.mocked(exportHandoff).mockReset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('AppPage', () => {
  it('shows the app: type, App ID to copy, redirect URLs, scopes by resource and type, grants', async () => {
    await renderPage();

    const page = screen.getByTestId('app-page');
    expect(page.textContent).toContain('Confidential');
    expect(screen.getByTestId('app-page-id').textContent).toBe(BILLING_DETAILS.id);
    await fireEvent.click(screen.getByRole('button', { name: 'Copy App ID' }));
    expect(copyText).toHaveBeenCalledWith(BILLING_DETAILS.id);
    expect(within(card('Redirect URLs')).getByText('https://billing.example.com/cb')).toBeTruthy();
    await waitFor(() => expect(card('Scopes').textContent).toContain('Orchestrator API Access'));
    const groups = [...card('Scopes').querySelectorAll('.type-group')].map((group) =>
      group.textContent!.replace(/\s+/g, ' ').trim(),
    );
    expect(groups).toEqual(['User scopes OR.Jobs.Read Jobs (read)', 'Application scopes OR.Jobs Jobs']);
    const grants = [...screen.getByTestId('grants').querySelectorAll('strong')].map((s) => s.textContent);
    expect(grants).toEqual(['Client credentials', 'Authorization code (with secret)']);
  });

  it('lists each secret with description, creation, expiry and status, never a value', async () => {
    await renderPage();

    const ci = secretRow(11);
    expect(ci.textContent).toContain('For CI');
    expect(ci.querySelector('time')?.getAttribute('datetime')).toBe('2026-01-10T09:30:00Z');
    expect(ci.querySelectorAll('time')[1]?.getAttribute('datetime')).toBe('2027-01-10T23:59:59Z');
    expect(ci.textContent).toContain('Active');
    expect(secretRow(12).textContent).toContain('No description');
    expect(secretRow(12).textContent).toContain('Expired');
    expect(screen.queryByText(/This app has no active secret/)).toBeNull();
  });

  it('warns when no secret works any more', async () => {
    await renderPage({ ...BILLING_DETAILS, secrets: [BILLING_DETAILS.secrets[1]] });

    expect(screen.getByText('This app has no active secret, so it cannot get tokens. Generate one.')).toBeTruthy();
  });

  it('offers no secrets for a non-confidential app', async () => {
    await renderPage(PORTAL_DETAILS);

    expect(screen.queryByTestId('secret-generate')).toBeNull();
    expect(card('Secrets').textContent).toContain('A non-confidential app has no secrets');
    expect(screen.getByTestId('app-edit')).toBeTruthy();
    expect(screen.getByTestId('app-delete')).toBeTruthy();
  });

  it('says in words when the app cannot be read, and tries again', async () => {
    getAppMock
      .mockRejectedValueOnce({ code: 'server', message: 'The server failed.', field: null })
      .mockResolvedValueOnce(BILLING_DETAILS);
    render(AppPage, {
      appId: BILLING_DETAILS.id,
      catalog: new CatalogState(),
      features: ALL_FEATURES,
      onBack: vi.fn(),
      onChanged: vi.fn(),
      onDeleted: vi.fn(),
      onCopied: vi.fn(),
    });

    expect((await screen.findByRole('alert')).textContent).toBe('The application could not be loaded. The server failed.');
    await fireEvent.click(screen.getByRole('button', { name: 'Retry' }));

    await screen.findByRole('heading', { level: 2, name: 'Billing sync' });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says when the app is gone, and Back leads to the list', async () => {
    getAppMock.mockRejectedValue({ code: 'notFound', message: 'No such app.', field: null });
    const onBack = vi.fn();
    render(AppPage, { appId: 'gone', catalog: new CatalogState(), features: ALL_FEATURES, onBack, onChanged: vi.fn(), onDeleted: vi.fn(), onCopied: vi.fn() });

    expect((await screen.findByRole('alert')).textContent).toBe('This application is no longer on the server.');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    await fireEvent.click(screen.getByTestId('app-back'));
    expect(onBack).toHaveBeenCalledOnce();
  });
});

describe('generating a secret', () => {
  async function openGenerate() {
    await fireEvent.click(screen.getByTestId('secret-generate'));
    return screen.getByRole('dialog', { name: 'New secret for “Billing sync”' });
  }

  it('sends the description and an expiry at the end of the day, 90 days on by default', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(2026, 5, 1, 15, 0));
    generateMock.mockResolvedValue(GENERATED);
    await renderPage();
    await openGenerate();

    expect((screen.getByTestId('secret-expiry') as HTMLSelectElement).value).toBe('90');
    await fireEvent.input(screen.getByTestId('secret-description'), { target: { value: 'Rotation' } });
    await fireEvent.click(screen.getByTestId('secret-generate-submit'));

    expect(generateMock).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, {
      description: 'Rotation',
      expiresOn: '2026-08-30',
    });
  });

  it('takes a date, ending with that day, or none with a warning', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(2026, 5, 1, 15, 0));
    generateMock.mockResolvedValue(GENERATED);
    await renderPage();
    await openGenerate();

    await fireEvent.change(screen.getByTestId('secret-expiry'), { target: { value: 'date' } });
    await fireEvent.click(screen.getByTestId('secret-generate-submit'));
    expect(generateMock).not.toHaveBeenCalled();
    expect(screen.getByText('Choose the day it expires.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByTestId('secret-expiry-date'));

    await fireEvent.input(screen.getByTestId('secret-expiry-date'), { target: { value: '2026-12-24' } });
    await fireEvent.click(screen.getByTestId('secret-generate-submit'));
    expect(generateMock).toHaveBeenLastCalledWith(BILLING_DETAILS.id, {
      description: '',
      expiresOn: '2026-12-24',
    });
  });

  it('warns that a secret without expiry never expires, and sends null', async () => {
    generateMock.mockResolvedValue(GENERATED);
    await renderPage();
    await openGenerate();

    await fireEvent.change(screen.getByTestId('secret-expiry'), { target: { value: 'none' } });

    expect(screen.getByText('This secret never expires: if it leaks, it works until someone deletes it.')).toBeTruthy();
    expect(screen.queryByTestId('secret-expiry-date')).toBeNull();
    await fireEvent.click(screen.getByTestId('secret-generate-submit'));
    expect(generateMock).toHaveBeenCalledWith(BILLING_DETAILS.id, { description: '', expiresOn: null });
  });

  it('shows the value once, closable only once stored, then drops it and reads the app again', async () => {
    generateMock.mockResolvedValue(GENERATED);
    const { onChanged } = await renderPage();
    await openGenerate();
    await fireEvent.click(screen.getByTestId('secret-generate-submit'));

    const dialog = await screen.findByRole('dialog', { name: 'Secret generated' });
    expect(screen.getByTestId('new-secret-value').textContent).toBe('v4lu3-0nc3');
    const close = screen.getByTestId('new-secret-close') as HTMLButtonElement;
    expect(close.disabled).toBe(true);
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    await fireEvent.click(dialog.parentElement!);
    expect(screen.getByTestId('new-secret-value')).toBeTruthy();

    await fireEvent.click(within(dialog).getByTestId('copy-secret'));
    expect(copySecret).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id);
    expect(copyText).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId('secret-stored'));
    expect(close.disabled).toBe(false);
    const refreshed = { ...BILLING_DETAILS, secrets: [...BILLING_DETAILS.secrets, GENERATED.secret] };
    getAppMock.mockResolvedValue(refreshed);
    await fireEvent.click(close);

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.body.textContent).not.toContain('v4lu3-0nc3');
    expect(onChanged).toHaveBeenCalled();
    await waitFor(() => expect(secretRow(13)).not.toBeNull());
    expect(getAppMock).toHaveBeenCalledTimes(2);
  });

  it('says why generating failed and keeps the form', async () => {
    generateMock.mockRejectedValue({ code: 'forbidden', message: 'The admin app may not write secrets.', field: null });
    await renderPage();
    await openGenerate();
    await fireEvent.input(screen.getByTestId('secret-description'), { target: { value: 'Rotation' } });

    await fireEvent.click(screen.getByTestId('secret-generate-submit'));

    expect((await screen.findByRole('alert')).textContent).toBe(
      'The secret could not be generated. The admin app may not write secrets.',
    );
    expect((screen.getByTestId('secret-description') as HTMLInputElement).value).toBe('Rotation');
  });

  it('only replaces the secret, asking no description or expiry, where the server keeps neither', async () => {
    generateMock.mockResolvedValue(GENERATED);
    await renderPage(BILLING_DETAILS, LOGIN_SERVER.features);

    const replace = screen.getByTestId('secret-generate');
    expect(replace.textContent?.trim()).toBe('Replace secret');
    await fireEvent.click(replace);

    const dialog = screen.getByRole('dialog', { name: 'Replace the secret of “Billing sync”' });
    expect(screen.queryByTestId('secret-description')).toBeNull();
    expect(screen.queryByTestId('secret-expiry')).toBeNull();
    const says = screen.getByTestId('secret-replace');
    expect(dialog.getAttribute('aria-describedby')).toBe(says.id);
    expect(says.textContent).toContain('A new secret replaces the current one at once');
    expect(says.textContent).toContain('This server keeps one secret per app, with no description, and sets its expiry itself.');
    expect(screen.queryByTestId('rotation-start')).toBeNull();
    vi.mocked(exportHandoff).mockResolvedValue({ path: '/home/a/billing.pdf', secretIncluded: false, ownerOnly: false });
    await fireEvent.click(screen.getByTestId('replace-sheet-first'));
    expect(exportHandoff).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, 'pdf', false);
    expect((await within(says).findByRole('status')).textContent).toBe('Saved to /home/a/billing.pdf');
    const submit = screen.getByTestId('secret-generate-submit');
    expect(submit.textContent?.trim()).toBe('Replace secret');
    await fireEvent.click(submit);

    expect(generateMock).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, { description: '', expiresOn: null });
    expect(await screen.findByTestId('new-secret-value')).toBeTruthy();
  });

  it('starts a rotation: the new secret is shown once, and the page shows the steps and which secret is which', async () => {
    vi.mocked(startRotation).mockResolvedValue(GENERATED);
    await renderPage();
    const rotating: AppDetails = {
      ...HELD,
      secrets: [...BILLING_DETAILS.secrets, GENERATED.secret],
      rotation: {
        newSecretId: 13,
        oldSecretIds: [11, 12],
        startedAt: '2026-06-01T13:00:00Z',
        verifiedAt: null,
        sheetExportedAt: null,
      },
    };
    getAppMock.mockResolvedValue(rotating);

    await fireEvent.click(screen.getByTestId('rotation-start'));
    const dialog = screen.getByRole('dialog', { name: 'Rotate the secret of “Billing sync”' });
    expect(within(dialog).getByTestId('rotation-intro').textContent).toContain('works beside the current ones');
    await fireEvent.input(screen.getByTestId('secret-description'), { target: { value: 'Q3' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Start rotation' }));
    expect(vi.mocked(startRotation).mock.calls[0][0]).toBe(BILLING_DETAILS.id);
    expect(generateMock).not.toHaveBeenCalled();
    expect((await screen.findByTestId('new-secret-value')).textContent).toContain('v4lu3-0nc3');
    await fireEvent.click(screen.getByTestId('secret-stored'));
    await fireEvent.click(screen.getByTestId('new-secret-close'));

    const panel = await screen.findByTestId('rotation');
    expect(screen.getByTestId('rotation-step-verified').textContent).toContain('Not verified yet');
    expect(screen.getByTestId('rotation-step-sheet').textContent).toContain('Not handed over yet');
    expect(screen.queryByTestId('rotation-start')).toBeNull();
    expect(within(secretRow(13)).getByTestId('secret-rotation-role').textContent).toBe('New');
    expect(within(secretRow(11)).getByTestId('secret-rotation-role').textContent).toBe('Retiring');

    // Verifying ticks its step: the page reads the app again.
    verifyMock.mockResolvedValue({ requestedScopes: ['OR.Jobs'], grantedScopes: ['OR.Jobs'], lifetimeSeconds: 3600, claims: [], token: null });
    getAppMock.mockResolvedValue({ ...rotating, rotation: { ...rotating.rotation!, verifiedAt: '2026-06-01T13:05:00Z' } });
    await fireEvent.click(screen.getByTestId('verify-run'));
    await waitFor(() => expect(screen.getByTestId('rotation-step-verified').textContent).toContain('Verified'));
    expect(panel.isConnected).toBe(true);
  });

  it('finishes a rotation after a last look at the secret that stays and those deleted', async () => {
    const rotating: AppDetails = {
      ...BILLING_DETAILS,
      secrets: [...BILLING_DETAILS.secrets, GENERATED.secret],
      rotation: { newSecretId: 13, oldSecretIds: [11, 12], startedAt: '2026-06-01T13:00:00Z', verifiedAt: null, sheetExportedAt: null },
    };
    vi.mocked(finishRotation).mockResolvedValue({ ...BILLING_DETAILS, secrets: [GENERATED.secret], rotation: null });
    const { onChanged } = await renderPage(rotating);

    await fireEvent.click(screen.getByTestId('rotation-finish'));
    const keeps = screen.getByTestId('rotation-keeps');
    expect(keeps.textContent).toContain('Rotation');
    expect(keeps.textContent).toContain('ID 13');
    const retires = [...screen.getByTestId('rotation-retires').querySelectorAll('li')].map((li) => li.dataset.secretId);
    expect(retires).toEqual(['11', '12']);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete 2 old secrets' }));

    expect(finishRotation).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, false);
    await waitFor(() => expect(screen.queryByTestId('rotation')).toBeNull());
    expect(secretRow(11)).toBeNull();
    expect(onChanged).toHaveBeenCalled();
  });

  it('cancels a rotation, keeping the new secret when asked', async () => {
    const rotating: AppDetails = {
      ...BILLING_DETAILS,
      secrets: [...BILLING_DETAILS.secrets, GENERATED.secret],
      rotation: { newSecretId: 13, oldSecretIds: [11, 12], startedAt: '2026-06-01T13:00:00Z', verifiedAt: null, sheetExportedAt: null },
    };
    vi.mocked(cancelRotation).mockResolvedValue({ ...rotating, rotation: null });
    await renderPage(rotating);

    await fireEvent.click(screen.getByTestId('rotation-cancel'));
    expect(screen.getByRole('button', { name: 'Delete the new secret' })).toBeTruthy();
    await fireEvent.click(screen.getByTestId('rotation-keep-new'));
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel rotation' }));

    expect(cancelRotation).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, true);
    await waitFor(() => expect(screen.queryByTestId('rotation')).toBeNull());
  });

  it('says why replacing failed', async () => {
    generateMock.mockRejectedValue({ code: 'server', message: 'The registration endpoint failed.', field: null });
    await renderPage(BILLING_DETAILS, LOGIN_SERVER.features);
    await fireEvent.click(screen.getByTestId('secret-generate'));

    await fireEvent.click(screen.getByTestId('secret-generate-submit'));

    expect((await screen.findByRole('alert')).textContent).toBe(
      'The secret could not be replaced. The registration endpoint failed.',
    );
  });

  it('closes the form on Escape without a call', async () => {
    await renderPage();
    const dialog = await openGenerate();

    await fireEvent.keyDown(dialog, { key: 'Escape' });

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(generateMock).not.toHaveBeenCalled();
  });
});

describe('deleting a secret', () => {
  const SECOND = { id: 14, description: 'Deploy', created: '2026-03-01T10:00:00Z', expires: null, status: 'active' } as const;

  it('names the secret, warns that it is the last active one, and shows the app as it is after', async () => {
    const after = { ...BILLING_DETAILS, secrets: [BILLING_DETAILS.secrets[1]] };
    deleteSecretMock.mockResolvedValue(after);
    const { onChanged } = await renderPage();

    await fireEvent.click(within(secretRow(11)).getByTestId('secret-delete'));

    const dialog = screen.getByRole('dialog', { name: 'Delete this secret?' });
    expect(dialog.textContent).toContain('“For CI”, created');
    expect(dialog.textContent).toContain("This is the app's last active secret: its integration will stop working.");
    await fireEvent.click(screen.getByTestId('confirm-delete-secret'));

    expect(deleteSecretMock).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, 11, false);
    await waitFor(() => expect(secretRow(11)).toBeNull());
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(onChanged).toHaveBeenCalled();
  });

  it('does not warn while another secret still works', async () => {
    await renderPage({ ...BILLING_DETAILS, secrets: [...BILLING_DETAILS.secrets, SECOND] });

    await fireEvent.click(within(secretRow(11)).getByTestId('secret-delete'));

    expect(screen.getByRole('dialog').textContent).not.toContain('last active secret');
  });

  it('is aria-disabled but focusable, with the reason in words, where the server cannot delete a secret', async () => {
    await renderPage(BILLING_DETAILS, LOGIN_SERVER.features);

    const buttons = screen.getAllByTestId('secret-delete') as HTMLButtonElement[];
    expect(buttons.map((button) => button.disabled)).toEqual([false, false]);
    expect(buttons.map((button) => button.getAttribute('aria-disabled'))).toEqual(['true', 'true']);
    const reason = screen.getByTestId('secret-delete-unavailable');
    expect(reason.textContent).toBe('This server keeps one secret per app: replace it with a new one instead.');
    expect(buttons.map((button) => button.getAttribute('aria-describedby'))).toEqual([reason.id, reason.id]);
    const first = within(secretRow(11)).getByTestId('secret-delete');
    expect(screen.getByRole('button', { name: /^Delete “For CI”/, description: 'This server keeps one secret per app: replace it with a new one instead.' })).toBe(first);

    first.focus();
    expect(document.activeElement).toBe(first);
    await fireEvent.click(first);
    await fireEvent.click(within(secretRow(12)).getByTestId('secret-delete'));

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(deleteSecretMock).not.toHaveBeenCalled();
  });

  it('is enabled with nothing more to say for a UiPath server', async () => {
    await renderPage();

    const buttons = screen.getAllByTestId('secret-delete') as HTMLButtonElement[];
    expect(buttons.map((button) => button.disabled)).toEqual([false, false]);
    expect(buttons.map((button) => button.hasAttribute('aria-disabled'))).toEqual([false, false]);
    expect(buttons.map((button) => button.hasAttribute('aria-describedby'))).toEqual([false, false]);
    expect(screen.queryByTestId('secret-delete-unavailable')).toBeNull();
  });

  it('Cancel and Escape keep the secret', async () => {
    await renderPage();

    await fireEvent.click(within(secretRow(11)).getByTestId('secret-delete'));
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await fireEvent.click(within(secretRow(12)).getByTestId('secret-delete'));
    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(deleteSecretMock).not.toHaveBeenCalled();
  });
});

describe('deleting the app', () => {
  it('is possible only once the exact name is typed', async () => {
    deleteAppMock.mockResolvedValue(null);
    const { onDeleted } = await renderPage();

    await fireEvent.click(screen.getByTestId('app-delete'));
    const input = screen.getByTestId('delete-confirm-name');
    const confirm = screen.getByTestId('confirm-delete-app') as HTMLButtonElement;
    expect(document.activeElement).toBe(input);
    expect(confirm.disabled).toBe(true);

    const why = () => screen.queryByTestId('delete-confirm-mismatch')?.textContent ?? null;
    expect(why()).toBeNull();
    const near = [
      ['Billing', 'Delete stays disabled until the name matches exactly.'],
      ['billing sync', 'Type it with the same capitals: the name must match exactly.'],
      ['Billing sync ', 'Leave out the spaces before and after it: the name must match exactly.'],
      [' Billing sync', 'Leave out the spaces before and after it: the name must match exactly.'],
    ];
    for (const [typed, said] of near) {
      await fireEvent.input(input, { target: { value: typed } });
      expect(confirm.disabled).toBe(true);
      expect(why()).toBe(said);
      expect(input.getAttribute('aria-describedby')).toBe(screen.getByTestId('delete-confirm-mismatch').id);
    }
    await fireEvent.input(input, { target: { value: 'Billing sync' } });
    expect(confirm.disabled).toBe(false);
    expect(why()).toBeNull();
    await fireEvent.click(confirm);

    expect(deleteAppMock).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, 'Billing sync', false);
    await waitFor(() => expect(onDeleted).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS));
  });

  it('deletes the connection’s own admin app only once the warning is accepted', async () => {
    const why = '“Billing sync” is the app this connection acts through: once it is deleted, “Acme” stops working.';
    deleteAppMock.mockReset().mockRejectedValueOnce({ code: 'lockout', message: why, field: null }).mockResolvedValueOnce(null);
    const { onDeleted } = await renderPage();
    await fireEvent.click(screen.getByTestId('app-delete'));
    await fireEvent.input(screen.getByTestId('delete-confirm-name'), { target: { value: 'Billing sync' } });
    const confirm = screen.getByTestId('confirm-delete-app') as HTMLButtonElement;
    await fireEvent.click(confirm);

    expect((await screen.findByTestId('lockout-warning')).textContent).toContain(why);
    expect(confirm.disabled).toBe(true);
    expect(onDeleted).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('lockout-accept'));
    await fireEvent.click(confirm);

    expect(deleteAppMock).toHaveBeenLastCalledWith(BILLING_DETAILS.id, 'Billing sync', true);
    await waitFor(() => expect(onDeleted).toHaveBeenCalledOnce());
  });

  it('says why it was not deleted', async () => {
    deleteAppMock.mockRejectedValue({ code: 'forbidden', message: 'Not allowed.', field: null });
    const { onDeleted } = await renderPage();
    await fireEvent.click(screen.getByTestId('app-delete'));
    await fireEvent.input(screen.getByTestId('delete-confirm-name'), { target: { value: 'Billing sync' } });

    await fireEvent.keyDown(screen.getByTestId('delete-confirm-name'), { key: 'Enter' });

    expect((await screen.findByRole('alert')).textContent).toBe('The app was not deleted. Not allowed.');
    expect(onDeleted).not.toHaveBeenCalled();
  });
});

describe('editing', () => {
  it('opens the editor on the app, and the page shows the app as saved', async () => {
    vi.mocked(planUpdate).mockReset().mockResolvedValue(RENAME);
    vi.mocked(updateApp)
      .mockReset()
      .mockResolvedValue({ details: { ...BILLING_DETAILS, name: 'Billing' }, replacedSecret: null });
    const { onChanged } = await renderPage();

    await saveRename();

    await screen.findByRole('heading', { level: 2, name: 'Billing' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(onChanged).toHaveBeenCalledOnce();
    expect(screen.getByTestId('app-saved').textContent).toBe('Saved: the server has “Billing” as shown.');
  });

  it('shows once, and says so, a secret the server replaced with the saved edit', async () => {
    vi.mocked(planUpdate).mockReset().mockResolvedValue(RENAME);
    const secret = BILLING_DETAILS.secrets[0];
    vi.mocked(updateApp)
      .mockReset()
      .mockResolvedValue({
        details: { ...BILLING_DETAILS, name: 'Billing', holdsSecret: true },
        replacedSecret: { secret, value: 'n3w-s3cret' },
      });
    await renderPage();

    await saveRename();

    const dialog = await screen.findByRole('dialog', { name: 'The server replaced the secret' });
    expect(within(dialog).getByTestId('secret-replaced').textContent).toContain('no longer works');
    expect(within(dialog).getByTestId('new-secret-value').textContent).toBe('n3w-s3cret');
    const close = within(dialog).getByTestId('new-secret-close') as HTMLButtonElement;
    expect(close.disabled).toBe(true);
    await fireEvent.click(within(dialog).getByTestId('secret-stored'));
    await fireEvent.click(close);
    expect(screen.queryByText('n3w-s3cret')).toBeNull();
  });
});

/** What renaming the app to "Billing" changes. */
const RENAME = {
  name: { from: 'Billing sync', to: 'Billing' },
  scopesAdded: [],
  scopesRemoved: [],
  redirectUrisAdded: [],
  redirectUrisRemoved: [],
  keptAsHeld: [],
};

/** Renames the app (to "Billing" unless told) through the editor: review, then save. */
async function saveRename(from = 'Billing sync', to = 'Billing') {
  await fireEvent.click(screen.getByTestId('app-edit'));
  const dialog = screen.getByRole('dialog', { name: `Edit “${from}”` });
  await fireEvent.input(within(dialog).getByLabelText('Name'), { target: { value: to } });
  await fireEvent.click(screen.getByTestId('edit-review'));
  await fireEvent.click(await screen.findByTestId('edit-save'));
}

describe('a secret replaced on the server', () => {
  it('is shown once when the page reads it, and is gone once stored', async () => {
    const secret = BILLING_DETAILS.secrets[0];
    await renderPage({ ...BILLING_DETAILS, replacedSecret: { secret, value: 'changed-elsewhere' } });

    const dialog = await screen.findByRole('dialog', { name: 'The server replaced the secret' });
    expect(within(dialog).getByTestId('secret-replaced').textContent).toContain('replaced on the server');
    expect(within(dialog).getByTestId('new-secret-value').textContent).toBe('changed-elsewhere');
    await fireEvent.click(within(dialog).getByTestId('secret-stored'));
    await fireEvent.click(within(dialog).getByTestId('new-secret-close'));
    expect(screen.queryByText('changed-elsewhere')).toBeNull();
  });
});

describe('a secret replaced on the server, read again after a conflicting edit', () => {
  it('is shown by the page, once', async () => {
    vi.mocked(planUpdate).mockReset().mockResolvedValue(RENAME);
    vi.mocked(updateApp).mockReset().mockRejectedValue({ code: 'conflict', message: 'Changed.', field: null });
    const secret = BILLING_DETAILS.secrets[0];
    await renderPage();
    getAppMock.mockResolvedValue({ ...BILLING_DETAILS, replacedSecret: { secret, value: 'changed-elsewhere' } });

    await saveRename();

    const dialog = await screen.findByRole('dialog', { name: 'The server replaced the secret' });
    expect(within(dialog).getByTestId('new-secret-value').textContent).toBe('changed-elsewhere');
  });
});

describe('an app Registrar cannot manage', () => {
  it('says why, and neither edits, replaces its secret nor deletes it', async () => {
    const reason = 'https://login.example.com offers no management of registered clients (RFC 7592).';
    await renderPage({ ...BILLING_DETAILS, unmanaged: reason });

    expect(screen.getByTestId('app-unmanaged').textContent).toBe(reason);
    for (const control of ['app-edit', 'app-delete', 'secret-generate']) {
      const button = screen.getByTestId(control);
      expect(button.getAttribute('aria-disabled')).toBe('true');
      expect(button.getAttribute('aria-describedby')).toBe('app-unmanaged');
      await fireEvent.click(button);
    }
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('handing over', () => {
  it('copies the secret held for the app from the page, through Rust', async () => {
    await renderPage(HELD);

    await fireEvent.click(screen.getByTestId('copy-secret'));

    expect(copySecret).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id);
    expect(await screen.findByText('Copied · 30 s')).toBeTruthy();
  });

  it('copies the curl request and says so on the button', async () => {
    vi.mocked(copyCurl).mockResolvedValueOnce(undefined);
    await renderPage(HELD);

    await fireEvent.click(screen.getByTestId('copy-curl'));
    await waitFor(() => expect(screen.getByTestId('copy-curl').querySelector('.shown')?.textContent).toBe('Copied'));
    expect(copyCurl).toHaveBeenCalledWith(BILLING_DETAILS.id);
  });

  it('offers the curl request only to confidential apps with an application scope', async () => {
    await renderPage({ ...BILLING_DETAILS, scopes: [{ name: 'OR.Jobs.Read', type: 'user' }] });
    expect(screen.queryByTestId('copy-curl')).toBeNull();
  });

  it('offers a non-confidential app neither curl nor verify', async () => {
    await renderPage(PORTAL_DETAILS);

    expect(screen.queryByTestId('copy-curl')).toBeNull();
    expect(screen.queryByTestId('verify')).toBeNull();
  });
});

describe('exporting the handoff sheet', () => {
  const exportMock = vi.mocked(exportHandoff);

  it('leaves the secret out by default and says it is delivered separately', async () => {
    exportMock.mockResolvedValue({ path: '/home/ada/Billing sync handoff.pdf', secretIncluded: false, ownerOnly: false });
    await renderPage(HELD);

    expect((screen.getByTestId('handoff-include-secret') as HTMLInputElement).checked).toBe(false);
    expect(within(card('Hand over')).getByText('The sheet will say the secret is delivered separately.')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('handoff-export'));

    expect(exportMock).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, 'pdf', false);
    const saved = await screen.findByTestId('handoff-exported');
    expect(saved.textContent).toContain('/home/ada/Billing sync handoff.pdf');
    expect(saved.textContent).toContain('It holds no secret.');
  });

  it('includes the held secret when asked, in the chosen format, and says the file is owner-only', async () => {
    exportMock.mockResolvedValue({ path: '/tmp/Billing sync handoff.md', secretIncluded: true, ownerOnly: true });
    await renderPage(HELD);

    await fireEvent.change(screen.getByTestId('handoff-format'), { target: { value: 'markdown' } });
    await fireEvent.click(screen.getByTestId('handoff-include-secret'));
    expect(within(card('Hand over')).getByText(/The sheet will hold “For CI”, created/)).toBeTruthy();
    await fireEvent.click(screen.getByTestId('handoff-export'));

    expect(exportMock).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, 'markdown', true);
    expect((await screen.findByTestId('handoff-exported')).textContent).toContain('owner-only, mode 0600');
  });

  it('does not claim owner-only where the system could not make the file so', async () => {
    exportMock.mockResolvedValue({ path: 'C:\\Users\\ada\\sheet.md', secretIncluded: true, ownerOnly: false });
    await renderPage(HELD);

    await fireEvent.click(screen.getByTestId('handoff-include-secret'));
    await fireEvent.click(screen.getByTestId('handoff-export'));

    const saved = (await screen.findByTestId('handoff-exported')).textContent;
    expect(saved).toContain('It holds the client secret: keep it where only you can read it.');
    expect(saved).not.toContain('0600');
  });

  it('cannot include a secret Registrar does not hold, and says why', async () => {
    exportMock.mockResolvedValue(null);
    await renderPage();

    expect((screen.getByTestId('handoff-include-secret') as HTMLInputElement).disabled).toBe(true);
    expect(within(card('Hand over')).getByText(/Registrar holds a secret only right after generating it/)).toBeTruthy();
    await fireEvent.click(screen.getByTestId('handoff-export'));
    expect(exportMock).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, 'pdf', false);
  });

  it('shows nothing when the save dialog is cancelled', async () => {
    exportMock.mockResolvedValue(null);
    await renderPage(HELD);

    await fireEvent.click(screen.getByTestId('handoff-export'));

    await waitFor(() => expect((screen.getByTestId('handoff-export') as HTMLButtonElement).disabled).toBe(false));
    expect(screen.queryByTestId('handoff-exported')).toBeNull();
    expect(screen.queryByTestId('handoff-error')).toBeNull();
  });

  it('says why a sheet could not be saved', async () => {
    exportMock.mockRejectedValue({ code: 'storage', message: 'Could not write /ro/x.pdf: permission denied.', field: null });
    await renderPage(HELD);

    await fireEvent.click(screen.getByTestId('handoff-export'));

    expect((await screen.findByTestId('handoff-error')).textContent).toBe(
      'The sheet was not saved. Could not write /ro/x.pdf: permission denied.',
    );
  });

  it('exports a non-confidential app without any secret choice', async () => {
    exportMock.mockResolvedValue(null);
    await renderPage(PORTAL_DETAILS);

    expect(screen.queryByTestId('handoff-include-secret')).toBeNull();
    await fireEvent.click(screen.getByTestId('handoff-export'));
    expect(exportMock).toHaveBeenCalledExactlyOnceWith(PORTAL_DETAILS.id, 'pdf', false);
  });
});

describe('verifying', () => {
  const VERIFIED: Verification = {
    requestedScopes: ['OR.Jobs', 'OR.Queues'],
    grantedScopes: ['OR.Jobs'],
    lifetimeSeconds: 3600,
    claims: [
      { name: 'client_id', value: `"${BILLING_DETAILS.id}"` },
      { name: 'exp', value: '1780000000' },
    ],
    token: null,
  };

  it('is possible only with a held secret, and says why', async () => {
    await renderPage();

    expect((screen.getByTestId('verify-run') as HTMLButtonElement).disabled).toBe(true);
    expect(within(screen.getByTestId('verify')).getByText(/Registrar holds a secret only right after generating it/)).toBeTruthy();
  });

  it('shows progress, then the granted scopes, what is missing, the lifetime and the claims, no token', async () => {
    const running = deferred<Verification>();
    verifyMock.mockReturnValue(running.promise);
    await renderPage(HELD);

    expect((screen.getByTestId('verify-show-token') as HTMLInputElement).checked).toBe(false);
    await fireEvent.click(screen.getByTestId('verify-run'));
    expect(verifyMock).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, false);
    expect(screen.getByRole('status').textContent).toContain('Asking the token endpoint for a token…');
    running.resolve(VERIFIED);

    const result = await screen.findByTestId('verify-result');
    expect(screen.getAllByTestId('verify-scope').map((li) => li.textContent)).toEqual(['OR.Jobs']);
    expect(result.textContent).toContain('Requested but not granted: OR.Queues.');
    expect(screen.getByTestId('verify-lifetime').textContent).toBe('1 hour');
    const exp = result.querySelector('[data-testid="verify-claim"][data-claim="exp"]')!;
    expect(exp.textContent).toContain('1780000000');
    expect(exp.querySelector('time')?.getAttribute('datetime')).toBe('2026-05-28T20:26:40.000Z');
    const clientId = result.querySelector('[data-testid="verify-claim"][data-claim="client_id"]')!;
    expect(clientId.textContent).toContain(BILLING_DETAILS.id);
    expect(screen.queryByTestId('verify-token')).toBeNull();
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('shows the token only when asked for and returned', async () => {
    verifyMock.mockResolvedValue({ ...VERIFIED, token: 'eyJ.abc.def' });
    await renderPage(HELD);

    await fireEvent.click(screen.getByTestId('verify-show-token'));
    await fireEvent.click(screen.getByTestId('verify-run'));

    expect(verifyMock).toHaveBeenCalledWith(BILLING_DETAILS.id, true);
    expect((await screen.findByTestId('verify-token')).textContent).toBe('eyJ.abc.def');
  });

  it('says when and with which secret it checked, and that the result is outdated once the app changed', async () => {
    verifyMock.mockResolvedValue(VERIFIED);
    vi.mocked(planUpdate).mockReset().mockResolvedValue(RENAME);
    vi.mocked(updateApp).mockReset().mockResolvedValue({ details: { ...HELD, name: 'Billing' }, replacedSecret: null });
    await renderPage(HELD);
    expect(screen.getByTestId('verify-secret').textContent).toContain('“For CI”');

    await fireEvent.click(screen.getByTestId('verify-run'));

    const when = await screen.findByTestId('verify-when');
    expect(when.textContent).toContain('with “For CI”, created');
    // The result names the secret; the hint above it would say it a second time.
    expect(screen.queryByTestId('verify-secret')).toBeNull();
    expect(when.textContent).toContain('expires');
    expect(Date.now() - Date.parse(when.querySelector('time')!.getAttribute('datetime')!)).toBeLessThan(60_000);
    // A new name changes nothing a token depends on.
    await saveRename();
    await screen.findByRole('heading', { level: 2, name: 'Billing' });
    expect(screen.queryByTestId('verify-outdated')).toBeNull();

    const scopes = [...HELD.scopes, { name: 'OR.Queues', type: 'application' as const }];
    vi.mocked(updateApp).mockResolvedValue({ details: { ...HELD, name: 'Billing', scopes }, replacedSecret: null });
    await saveRename('Billing', 'Billing sync');

    expect((await screen.findByTestId('verify-outdated')).textContent).toContain('Verify again');
    expect(screen.getByTestId('verify-when').textContent).toContain('“For CI”');
    expect(screen.getByTestId('verify-secret').textContent).toContain('“For CI”');
  });

  it('says the secret it will use, and marks it in the list', async () => {
    const second = { id: 14, description: 'Staging', created: '2026-03-01T10:00:00Z', expires: null, status: 'active' as const };
    await renderPage({ ...HELD, secrets: [...HELD.secrets, second], heldSecretId: 14 });

    expect(screen.getByTestId('verify-secret').textContent).toContain('“Staging”');
    expect(screen.getByTestId('verify-secret').textContent).toContain('never expires');
    expect(screen.getByTestId('held-secret').textContent).toContain('Copy secret, Verify and the handoff sheet use “Staging”');
    expect(within(secretRow(14)).getByTestId('secret-held')).toBeTruthy();
    expect(within(secretRow(11)).queryByTestId('secret-held')).toBeNull();
    await fireEvent.click(screen.getByTestId('handoff-include-secret'));
    expect(card('Hand over').textContent).toContain('The sheet will hold “Staging”');
  });

  it('marks the app the connection signs in with, and says what deleting it would do', async () => {
    getAppMock.mockResolvedValue(BILLING_DETAILS);
    const props = { onBack: vi.fn(), onChanged: vi.fn(), onDeleted: vi.fn(), onCopied: vi.fn() };
    render(AppPage, { appId: BILLING_DETAILS.id, catalog: new CatalogState(), features: ALL_FEATURES, adminAppId: BILLING_DETAILS.id, ...props });

    expect((await screen.findByTestId('app-admin-mark')).textContent).toBe('This connection’s admin app');
    expect(screen.getByTestId('app-admin-note').textContent).toContain('locks Registrar out');
  });

  it('marks no other app', async () => {
    await renderPage();

    expect(screen.queryByTestId('app-admin-mark')).toBeNull();
    expect(screen.queryByTestId('app-admin-note')).toBeNull();
  });

  it('verifies at once when the page was opened to verify', async () => {
    verifyMock.mockResolvedValue(VERIFIED);
    getAppMock.mockResolvedValue(HELD);
    const props = { onBack: vi.fn(), onChanged: vi.fn(), onDeleted: vi.fn(), onCopied: vi.fn() };
    render(AppPage, { appId: HELD.id, catalog: new CatalogState(), features: ALL_FEATURES, verify: true, ...props });

    expect(await screen.findByTestId('verify-result')).toBeTruthy();
    expect(verifyMock).toHaveBeenCalledExactlyOnceWith(HELD.id, false);
  });

  it('does not verify by itself when opened otherwise', async () => {
    await renderPage(HELD);

    expect(verifyMock).not.toHaveBeenCalled();
  });

  it('says why the credentials did not get a token', async () => {
    verifyMock.mockRejectedValue({ code: 'unauthorized', message: 'invalid_client', field: null });
    await renderPage(HELD);

    await fireEvent.click(screen.getByTestId('verify-run'));

    const error = await screen.findByTestId('verify-error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe('The credentials did not get a token. invalid_client');
    expect(screen.queryByTestId('verify-result')).toBeNull();
  });
});
