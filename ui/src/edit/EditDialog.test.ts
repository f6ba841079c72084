import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CatalogState } from '../editor/catalog.svelte';
import { getApp, getCatalog, planUpdate, updateApp, type AppChanges, type AppDetails, type AppEdit } from '../ipc';
import { BILLING_DETAILS, CATALOG, deferred } from '../testing/fixtures';
import EditDialog from './EditDialog.svelte';

vi.mock('../ipc/commands');

const planMock = vi.mocked(planUpdate);
const updateMock = vi.mocked(updateApp);
const getAppMock = vi.mocked(getApp);

const BASE: AppEdit = {
  name: 'Billing sync',
  redirectUris: ['https://billing.example.com/cb'],
  scopes: [
    { name: 'OR.Jobs', type: 'application' },
    { name: 'OR.Jobs.Read', type: 'user' },
  ],
};

const CHANGES: AppChanges = {
  name: { from: 'Billing sync', to: 'Billing sync v2' },
  scopesAdded: [{ name: 'OR.Queues.Read', type: 'application' }],
  scopesRemoved: [{ name: 'OR.Jobs', type: 'application' }],
  redirectUrisAdded: ['https://billing.example.com/cb/'],
  redirectUrisRemoved: [],
  keptAsHeld: [],
};

const NO_CHANGES: AppChanges = {
  name: null,
  scopesAdded: [],
  scopesRemoved: [],
  redirectUrisAdded: [],
  redirectUrisRemoved: [],
  keptAsHeld: [],
};

const THEIRS: AppDetails = {
  ...BILLING_DETAILS,
  name: 'Billing (theirs)',
  redirectUris: [],
  scopes: [{ name: 'OR.Jobs', type: 'application' }],
};

const CONFLICT = { code: 'conflict', message: 'The app changed on the server.', field: null };

async function renderEdit() {
  const props = { onCancel: vi.fn(), onSaved: vi.fn(), onReread: vi.fn() };
  render(EditDialog, { app: BILLING_DETAILS, catalog: new CatalogState(), ...props });
  await screen.findAllByRole('checkbox');
  return props;
}

function nameInput(): HTMLInputElement {
  return screen.getByLabelText('Name') as HTMLInputElement;
}

async function editSomething() {
  await fireEvent.input(nameInput(), { target: { value: 'Billing sync v2' } });
  await fireEvent.click(document.querySelector('[data-scope="OR.Queues.Read"][data-scope-type="application"]')!);
  await fireEvent.click(document.querySelector('[data-scope="OR.Jobs"][data-scope-type="application"]')!);
}

const EDITED: AppEdit = {
  name: 'Billing sync v2',
  redirectUris: ['https://billing.example.com/cb'],
  scopes: [
    { name: 'OR.Jobs.Read', type: 'user' },
    { name: 'OR.Queues.Read', type: 'application' },
  ],
};

function texts(testid: string): string[] {
  return screen.queryAllByTestId(testid).map((element) => element.textContent!.replace(/\s+/g, ' ').trim());
}

beforeEach(() => {
  vi.mocked(getCatalog).mockReset().mockResolvedValue(CATALOG);
  planMock.mockReset();
  updateMock.mockReset();
  getAppMock.mockReset();
});

describe('EditDialog', () => {
  it('starts from the app, with its type fixed', async () => {
    await renderEdit();

    expect(nameInput().value).toBe('Billing sync');
    expect((screen.getByTestId('redirect-input') as HTMLInputElement).value).toBe('https://billing.example.com/cb');
    expect((document.querySelector('[data-scope="OR.Jobs"][data-scope-type="application"]') as HTMLInputElement).checked).toBe(true);
    expect(document.querySelectorAll('input[name="app-type"]')).toHaveLength(0);
  });

  it('closes at once while nothing changed, and asks before discarding a change', async () => {
    const { onCancel } = await renderEdit();
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledOnce();

    await fireEvent.input(nameInput(), { target: { value: 'Billing sync v2' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.getByRole('dialog', { name: 'Discard what you entered?' }).textContent).toContain(
      'The changes were not saved',
    );
    expect(onCancel).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByTestId('confirm-discard'));
    expect(onCancel).toHaveBeenCalledTimes(2);
  });

  it('shows the changes the server plans, then saves and hands over the app as read back', async () => {
    planMock.mockResolvedValue(CHANGES);
    const saved = { details: { ...BILLING_DETAILS, name: 'Billing sync v2' }, replacedSecret: null };
    updateMock.mockResolvedValue(saved);
    const { onSaved } = await renderEdit();
    await editSomething();

    await fireEvent.click(screen.getByTestId('edit-review'));

    expect(planMock).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, BASE, EDITED);
    await screen.findByTestId('edit-diff');
    expect(document.activeElement).toBe(screen.getByRole('region', { name: 'Changes to save' }));
    expect(texts('diff-name')).toEqual(['The name changes from “Billing sync” to “Billing sync v2”.']);
    expect(texts('diff-scope-added')).toEqual(['OR.Queues.Read Application scope']);
    expect(texts('diff-scope-removed')).toEqual(['OR.Jobs Application scope']);
    expect(texts('diff-redirect-added')).toEqual(['https://billing.example.com/cb/']);
    expect(texts('diff-redirect-removed')).toEqual([]);
    expect(updateMock).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId('edit-save'));

    expect(updateMock).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, BASE, EDITED, false);
    await waitFor(() => expect(onSaved).toHaveBeenCalledExactlyOnceWith(saved));
  });

  it('saves a change that ends the connection only once its warning is accepted', async () => {
    const why = '“Billing sync” is the app this connection acts through: without PM.OAuthApp as an application scope, “Acme” can no longer manage apps.';
    planMock.mockResolvedValue(CHANGES);
    updateMock
      .mockRejectedValueOnce({ code: 'lockout', message: why, field: null })
      .mockResolvedValueOnce({ details: BILLING_DETAILS, replacedSecret: null });
    const { onSaved } = await renderEdit();
    await editSomething();
    await fireEvent.click(screen.getByTestId('edit-review'));
    await fireEvent.click(await screen.findByTestId('edit-save'));

    expect((await screen.findByTestId('lockout-warning')).textContent).toContain(why);
    const save = screen.getByTestId('edit-save') as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('lockout-accept'));
    await fireEvent.click(save);

    expect(updateMock).toHaveBeenLastCalledWith(BILLING_DETAILS.id, BASE, EDITED, true);
    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
  });

  it('says when there is nothing to save, and offers no Save', async () => {
    planMock.mockResolvedValue(NO_CHANGES);
    await renderEdit();

    await fireEvent.click(screen.getByTestId('edit-review'));

    expect((await screen.findByTestId('edit-diff')).textContent).toContain('Nothing to save');
    expect(screen.queryByTestId('edit-save')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Back to editing' }));
    expect(nameInput().value).toBe('Billing sync');
  });

  it('says what an app made elsewhere keeps although the rules would refuse it now', async () => {
    const kept = 'The server offers no scope named OR.Retired. It is kept as the app holds it.';
    planMock.mockResolvedValue({ ...CHANGES, keptAsHeld: [kept] });
    await renderEdit();

    await fireEvent.click(screen.getByTestId('edit-review'));

    expect(await screen.findByTestId('diff-kept')).toBeTruthy();
    expect(texts('diff-kept')).toEqual([kept]);
    expect(screen.getByTestId('edit-save')).toBeTruthy();
  });

  it('shows the busy state while the changes are worked out', async () => {
    const answer = deferred<AppChanges>();
    planMock.mockReturnValue(answer.promise);
    await renderEdit();

    await fireEvent.click(screen.getByTestId('edit-review'));

    const button = screen.getByTestId('edit-review') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.textContent?.trim()).toBe('Reviewing…');
    answer.resolve(CHANGES);
    await screen.findByTestId('edit-diff');
  });

  it('on a conflict at review, shows the current state, keeps the edit and reviews it against that state', async () => {
    planMock.mockRejectedValueOnce(CONFLICT).mockResolvedValueOnce(CHANGES);
    getAppMock.mockResolvedValue(THEIRS);
    const { onReread } = await renderEdit();
    await editSomething();

    await fireEvent.click(screen.getByTestId('edit-review'));

    const conflict = await screen.findByTestId('edit-conflict');
    expect(conflict.textContent).toContain(
      'This app was changed on the server since you opened it. Here is its current state; your edit was not saved.',
    );
    await waitFor(() => expect(conflict.textContent).toContain('Billing (theirs)'));
    expect(getAppMock).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id);
    expect(onReread).toHaveBeenCalledExactlyOnceWith(THEIRS);
    expect(document.activeElement).toBe(conflict);
    expect(nameInput().value).toBe('Billing sync v2');
    expect(screen.queryByTestId('edit-diff')).toBeNull();

    await fireEvent.click(screen.getByTestId('edit-review'));

    expect(planMock).toHaveBeenLastCalledWith(
      BILLING_DETAILS.id,
      { name: 'Billing (theirs)', redirectUris: [], scopes: [{ name: 'OR.Jobs', type: 'application' }] },
      EDITED,
    );
    await screen.findByTestId('edit-diff');
    expect(screen.queryByTestId('edit-conflict')).toBeNull();
  });

  it('on a conflict at save, saves nothing, goes back to the edit and shows the current state', async () => {
    planMock.mockResolvedValue(CHANGES);
    updateMock.mockRejectedValue(CONFLICT);
    getAppMock.mockResolvedValue(THEIRS);
    const { onSaved, onReread } = await renderEdit();
    await editSomething();
    await fireEvent.click(screen.getByTestId('edit-review'));
    await fireEvent.click(await screen.findByTestId('edit-save'));

    const conflict = await screen.findByTestId('edit-conflict');
    await waitFor(() => expect(onReread).toHaveBeenCalledWith(THEIRS));
    expect(conflict.textContent).toContain('your edit was not saved');
    expect(onSaved).not.toHaveBeenCalled();
    expect(nameInput().value).toBe('Billing sync v2');
    expect(screen.getByTestId('edit-review')).toBeTruthy();
  });

  it('says so when the current state cannot be read after a conflict', async () => {
    planMock.mockRejectedValue(CONFLICT);
    getAppMock.mockRejectedValue({ code: 'network', message: 'The server did not answer.', field: null });
    const { onReread } = await renderEdit();

    await fireEvent.click(screen.getByTestId('edit-review'));

    expect((await screen.findByRole('alert')).textContent).toContain(
      'Its current state could not be read: The server did not answer.',
    );
    expect(screen.getByTestId('edit-conflict')).toBeTruthy();
    expect(onReread).not.toHaveBeenCalled();
  });

  it('keeps the review open when saving fails for another reason, to try again', async () => {
    planMock.mockResolvedValue(CHANGES);
    updateMock
      .mockRejectedValueOnce({ code: 'rateLimited', message: 'Too many requests: wait a minute.', field: null })
      .mockResolvedValueOnce({ details: BILLING_DETAILS, replacedSecret: null });
    const { onSaved } = await renderEdit();
    await fireEvent.click(screen.getByTestId('edit-review'));
    await fireEvent.click(await screen.findByTestId('edit-save'));

    expect((await screen.findByRole('alert')).textContent).toContain('Too many requests: wait a minute.');
    expect(screen.getByTestId('edit-diff')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('edit-save'));

    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
  });

  it('sends nothing while the redirect URLs break a rule', async () => {
    await renderEdit();

    await fireEvent.input(screen.getByTestId('redirect-input'), { target: { value: 'http://billing.example.com/cb' } });
    await fireEvent.click(screen.getByTestId('edit-review'));

    expect(planMock).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toBe('Fix the redirect URLs first: they are marked above.');
    expect(document.activeElement).toBe(screen.getByTestId('redirect-input'));
  });

  it('closes on Escape and Cancel without a call', async () => {
    const { onCancel } = await renderEdit();

    await fireEvent.keyDown(nameInput(), { key: 'Escape' });
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));

    expect(onCancel).toHaveBeenCalledTimes(2);
    expect(planMock).not.toHaveBeenCalled();
  });
});
