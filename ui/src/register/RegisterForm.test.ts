import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ALL_FEATURES } from '../connections/features';
import { getCatalog, registerApp, type Features, type RegisteredApp, type ScopeType } from '../ipc';
import { endOfDayAfter, localDay } from '../lib/dates';
import { CatalogState } from '../editor/catalog.svelte';
import { BILLING, CATALOG, deferred } from '../testing/fixtures';
import RegisterForm from './RegisterForm.svelte';

vi.mock('../ipc/commands');

const registerMock = vi.mocked(registerApp);

async function renderForm(features: Features = ALL_FEATURES) {
  const onCancel = vi.fn();
  const onRegistered = vi.fn();
  render(RegisterForm, { catalog: new CatalogState(), features, onCancel, onRegistered });
  await screen.findAllByRole('checkbox');
  return { onCancel, onRegistered };
}

function nameInput(): HTMLInputElement {
  return screen.getByLabelText('Name') as HTMLInputElement;
}

function redirectInputs(): HTMLInputElement[] {
  return screen.queryAllByTestId('redirect-input') as HTMLInputElement[];
}

function scopeBox(name: string, type: ScopeType): HTMLInputElement | null {
  return document.querySelector(`input[data-scope="${name}"][data-scope-type="${type}"]`);
}

function typeRadio(value: string): HTMLInputElement {
  return document.querySelector(`input[name="app-type"][value="${value}"]`) as HTMLInputElement;
}

async function typeInto(input: HTMLInputElement, value: string) {
  await fireEvent.input(input, { target: { value } });
}

async function addRedirect(value: string) {
  await fireEvent.click(screen.getByTestId('redirect-add'));
  const inputs = redirectInputs();
  await typeInto(inputs[inputs.length - 1], value);
}

async function tick(name: string, type: ScopeType) {
  await fireEvent.click(scopeBox(name, type) as HTMLInputElement);
}

async function submit() {
  await fireEvent.click(screen.getByTestId('register-submit'));
}

const REGISTERED: RegisteredApp = { app: BILLING, secret: 'sEcReT-1' };

beforeEach(() => {
  vi.mocked(getCatalog).mockReset().mockResolvedValue(CATALOG);
  registerMock.mockReset();
});

describe('RegisterForm', () => {
  it('sends the draft exactly as entered and hands over the result', async () => {
    registerMock.mockResolvedValue(REGISTERED);
    const { onRegistered } = await renderForm();

    await typeInto(nameInput(), '  Billing sync ');
    await addRedirect('https://billing.example.com/cb');
    await addRedirect('http://127.0.0.1:8400/cb/');
    await tick('OR.Jobs.Read', 'application');
    await tick('DataService.Data.Read', 'user');
    await tick('OR.Jobs.Read', 'user');
    await submit();

    expect(registerMock).toHaveBeenCalledExactlyOnceWith(
      {
        name: '  Billing sync ',
        appType: 'confidential',
        redirectUris: ['https://billing.example.com/cb', 'http://127.0.0.1:8400/cb/'],
        scopes: [
          { name: 'OR.Jobs.Read', type: 'application' },
          { name: 'DataService.Data.Read', type: 'user' },
          { name: 'OR.Jobs.Read', type: 'user' },
        ],
      },
      // The first secret expires as a generated one does unless told otherwise: in 90 days.
      { description: 'Created with the app', expiresOn: localDay(endOfDayAfter(new Date(), 90)) },
    );
    await waitFor(() => expect(onRegistered).toHaveBeenCalledExactlyOnceWith(REGISTERED));
  });

  it('registers a first secret that expires when chosen, or never', async () => {
    registerMock.mockResolvedValue(REGISTERED);
    await renderForm();
    await typeInto(nameInput(), 'Nightly sync');
    await tick('OR.Jobs.Read', 'application');

    await fireEvent.change(screen.getByTestId('secret-expiry'), { target: { value: 'none' } });
    expect(screen.getByText(/This secret never expires/)).toBeTruthy();
    await submit();

    expect(registerMock.mock.calls[0][1]).toEqual({ description: 'Created with the app', expiresOn: null });
  });

  it('asks for the day before registering when the secret expires on a date', async () => {
    registerMock.mockResolvedValue(REGISTERED);
    await renderForm();
    await typeInto(nameInput(), 'Nightly sync');
    await tick('OR.Jobs.Read', 'application');

    await fireEvent.change(screen.getByTestId('secret-expiry'), { target: { value: 'date' } });
    await submit();

    expect(registerMock).not.toHaveBeenCalled();
    expect(screen.getByText('Choose the day it expires.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByTestId('secret-expiry-date'));
  });

  it('offers no expiry where the server sets the secret itself', async () => {
    registerMock.mockResolvedValue(REGISTERED);
    await renderForm({ ...ALL_FEATURES, secretDetails: { kind: 'serverSetsSecret' } });
    await typeInto(nameInput(), 'Nightly sync');
    await tick('OR.Jobs.Read', 'application');

    expect(screen.queryByTestId('secret-expiry')).toBeNull();
    await submit();
    expect(registerMock.mock.calls[0][1]).toBeNull();
  });

  it('offers only the scope types the catalog allows and counts the choices', async () => {
    await renderForm();

    expect(scopeBox('DataService.Data.Read', 'user')).not.toBeNull();
    expect(scopeBox('DataService.Data.Read', 'application')).toBeNull();
    expect(scopeBox('AI.Deployer', 'user')).toBeNull();
    expect(scopeBox('AI.Deployer', 'application')?.getAttribute('aria-label')).toBe('AI.Deployer (application)');
    expect(screen.getByText('0 scopes selected')).toBeTruthy();

    await tick('OR.Jobs', 'user');
    expect(screen.getByText('1 scope selected')).toBeTruthy();
    await tick('OR.Jobs', 'application');
    expect(screen.getByText('2 scopes selected')).toBeTruthy();
    await tick('OR.Jobs', 'user');
    expect(screen.getByText('1 scope selected')).toBeTruthy();
  });

  it('removes the redirect URL whose button was pressed and keeps the others in order', async () => {
    registerMock.mockResolvedValue(REGISTERED);
    await renderForm();

    await addRedirect('https://a.example.com/cb');
    await addRedirect('https://b.example.com/cb');
    await addRedirect('https://c.example.com/cb');
    await fireEvent.click(screen.getByRole('button', { name: 'Remove redirect URL 2' }));

    expect(redirectInputs().map((input) => input.value)).toEqual([
      'https://a.example.com/cb',
      'https://c.example.com/cb',
    ]);
    await submit();
    expect(registerMock.mock.calls[0][0].redirectUris).toEqual([
      'https://a.example.com/cb',
      'https://c.example.com/cb',
    ]);
  });

  it('asks before dropping application scopes for a non-confidential app, then sends only the rest', async () => {
    registerMock.mockResolvedValue({ app: { ...BILLING, appType: 'nonConfidential' }, secret: null });
    await renderForm();
    await typeInto(nameInput(), 'Partner portal');
    await addRedirect('http://127.0.0.1:8400/callback');
    await tick('OR.Jobs', 'application');
    await tick('OR.Jobs.Read', 'user');

    await fireEvent.click(typeRadio('nonConfidential'));
    await fireEvent.click(screen.getByRole('button', { name: 'Drop them' }));
    await submit();

    expect(registerMock).toHaveBeenCalledExactlyOnceWith(
      {
        name: 'Partner portal',
        appType: 'nonConfidential',
        redirectUris: ['http://127.0.0.1:8400/callback'],
        scopes: [{ name: 'OR.Jobs.Read', type: 'user' }],
      },
      null,
    );
    expect(screen.queryByTestId('secret-expiry')).toBeNull();
  });

  it('sends nothing while a rule is broken, says what to fix and goes there', async () => {
    registerMock.mockResolvedValue(REGISTERED);
    await renderForm();
    await typeInto(nameInput(), 'Reporting');
    await tick('OR.Jobs.Read', 'user');

    await submit();

    expect(registerMock).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toBe('Fix the redirect URLs first: they are marked above.');
    expect(document.activeElement).toBe(screen.getByTestId('redirect-add'));

    await addRedirect('https://reports.example.com/cb#top');
    await submit();
    expect(registerMock).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(redirectInputs()[0]);

    await typeInto(redirectInputs()[0], 'https://reports.example.com/cb');
    await submit();
    expect(registerMock).toHaveBeenCalledOnce();
  });

  it('shows busy state while the call runs, and Escape does not cancel it', async () => {
    const answer = deferred<RegisteredApp>();
    registerMock.mockReturnValue(answer.promise);
    const { onCancel, onRegistered } = await renderForm();

    await submit();

    const button = screen.getByTestId('register-submit') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.textContent?.trim()).toBe('Registering…');
    expect(screen.getByTestId('register-form').getAttribute('aria-busy')).toBe('true');
    await fireEvent.keyDown(nameInput(), { key: 'Escape' });
    expect(onCancel).not.toHaveBeenCalled();

    answer.resolve(REGISTERED);
    await waitFor(() => expect(onRegistered).toHaveBeenCalledOnce());
  });

  it('keeps everything as typed and shows the message of the server, also beside the named field', async () => {
    registerMock.mockRejectedValue({
      code: 'invalidInput',
      message: 'Redirect URL 1 (https://reports.example.com/cb) is not accepted by the server.',
      field: 'redirectUris',
    });
    const { onRegistered } = await renderForm();
    await typeInto(nameInput(), 'Reporting');
    await addRedirect('https://reports.example.com/cb');
    await tick('OR.Jobs.Read', 'user');
    await fireEvent.click(typeRadio('nonConfidential'));

    await submit();

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Redirect URL 1 (https://reports.example.com/cb) is not accepted by the server.');
    const redirects = screen.getByRole('group', { name: /^Redirect URLs/ });
    expect(redirects.textContent).toContain('is not accepted by the server.');
    expect(redirectInputs()[0].getAttribute('aria-invalid')).toBe('true');
    expect(nameInput().value).toBe('Reporting');
    expect(redirectInputs().map((input) => input.value)).toEqual(['https://reports.example.com/cb']);
    expect(scopeBox('OR.Jobs.Read', 'user')?.checked).toBe(true);
    expect(typeRadio('nonConfidential').checked).toBe(true);
    const button = screen.getByTestId('register-submit') as HTMLButtonElement;
    expect(button.disabled).toBe(false);
    expect(button.textContent?.trim()).toBe('Register');
    expect(document.activeElement).toBe(redirectInputs()[0]);
    expect(onRegistered).not.toHaveBeenCalled();
  });

  it('focuses Register when the error names no field to fix', async () => {
    registerMock.mockRejectedValue({ code: 'network', message: 'The server did not answer.', field: null });
    await renderForm();
    await tick('OR.Jobs', 'application');

    await submit();

    await screen.findByRole('alert');
    expect(document.activeElement).toBe(screen.getByTestId('register-submit'));
  });

  it('offers no second Register when the app was registered although the answer was lost', async () => {
    registerMock.mockRejectedValue({
      code: 'conflict',
      message: 'Registrar read the list again: "Billing" was registered all the same (App ID a1).',
      field: null,
    });
    const { onCancel } = await renderForm();
    await tick('OR.Jobs', 'application');

    await submit();

    expect((await screen.findByRole('alert')).textContent).toContain('was registered all the same');
    expect((screen.getByTestId('register-submit') as HTMLButtonElement).disabled).toBe(true);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close' }));
    expect(registerMock).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(onCancel).toHaveBeenCalledWith(true);
  });

  it('marks the name and moves focus to it when the error names it', async () => {
    registerMock.mockRejectedValue({ code: 'invalidInput', message: 'The name is empty.', field: 'name' });
    await renderForm();

    await submit();

    await screen.findByRole('alert');
    expect(nameInput().getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(nameInput().getAttribute('aria-describedby') ?? '')?.textContent).toBe(
      'The name is empty.',
    );
    expect(document.activeElement).toBe(nameInput());
  });

  it('closes on Escape and on Cancel while nothing was entered', async () => {
    const { onCancel } = await renderForm();

    await fireEvent.keyDown(nameInput(), { key: 'Escape' });
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));

    expect(onCancel).toHaveBeenCalledTimes(2);
    expect(registerMock).not.toHaveBeenCalled();
  });

  it('asks before Escape or Cancel discards what was entered, and keeps it when told to', async () => {
    const { onCancel } = await renderForm();
    await fireEvent.input(nameInput(), { target: { value: 'Half done' } });

    await fireEvent.keyDown(nameInput(), { key: 'Escape' });
    expect(screen.getByRole('dialog', { name: 'Discard what you entered?' })).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Keep editing' }));
    expect(screen.queryByRole('dialog', { name: 'Discard what you entered?' })).toBeNull();
    expect(nameInput().value).toBe('Half done');
    expect(onCancel).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await fireEvent.click(screen.getByTestId('confirm-discard'));
    expect(onCancel).toHaveBeenCalledExactlyOnceWith(false);
  });

  it('takes focus into the dialog', async () => {
    await renderForm();

    expect(document.activeElement).toBe(nameInput());
  });

  it('says when the catalog cannot be read and tries again', async () => {
    vi.mocked(getCatalog)
      .mockReset()
      .mockRejectedValueOnce({ code: 'server', message: 'The server failed.', field: null })
      .mockResolvedValueOnce(CATALOG);
    render(RegisterForm, { catalog: new CatalogState(), features: ALL_FEATURES, onCancel: vi.fn(), onRegistered: vi.fn() });

    expect((await screen.findByRole('alert')).textContent).toContain('The server failed.');
    await fireEvent.click(screen.getByRole('button', { name: 'Retry' }));

    await waitFor(() => expect(scopeBox('OR.Jobs', 'user')).not.toBeNull());
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
