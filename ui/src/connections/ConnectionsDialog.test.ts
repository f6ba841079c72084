import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  cancelSignIn,
  listConnections,
  onSignInUrl,
  removeConnection,
  renewSandboxCredentials,
  saveConnection,
  selectConnection,
  type ConnectionView,
} from '../ipc';
import { ACME, CONNECTIONS, LOGIN_SERVER, SANDBOX } from '../testing/fixtures';
import ConnectionsDialog from './ConnectionsDialog.svelte';

vi.mock('../ipc/commands');
vi.mock('../ipc/events');
vi.mock('../ipc/clipboard');

beforeEach(() => {
  vi.mocked(listConnections).mockReset().mockResolvedValue(CONNECTIONS);
  vi.mocked(saveConnection).mockReset();
  vi.mocked(selectConnection).mockReset();
  vi.mocked(removeConnection).mockReset();
  vi.mocked(renewSandboxCredentials).mockReset();
  vi.mocked(cancelSignIn).mockReset().mockResolvedValue(null);
  vi.mocked(onSignInUrl).mockReset().mockResolvedValue(() => {});
});

function open() {
  const onSwitched = vi.fn();
  const onClose = vi.fn();
  render(ConnectionsDialog, { onSwitched, onClose });
  return { onSwitched, onClose };
}

async function type(testid: string, text: string) {
  await fireEvent.input(screen.getByTestId(testid), { target: { value: text } });
}

function input(testid: string): HTMLInputElement {
  return screen.getByTestId(testid) as HTMLInputElement;
}

/** Opens the dialog's Add form for Acme, signing in with the app registrar-sign-in. */
async function openSignInForm() {
  open();
  await fireEvent.click(await screen.findByTestId('connection-add'));
  await type('connection-name', 'Acme');
  await type('connection-organization', 'acme');
  await fireEvent.click(screen.getByTestId('credential-sign-in'));
  await type('connection-clientId', 'registrar-sign-in');
}

describe('ConnectionsDialog', () => {
  it('lists the connections, marks the one in use, and never offers to edit or remove the sandbox', async () => {
    open();

    const rows = await screen.findAllByTestId('connection-row');
    expect(rows.map((row) => [row.dataset.name, row.dataset.current])).toEqual([
      ['Sandbox', 'true'],
      ['Acme production', 'false'],
    ]);
    expect(rows[0].querySelector('[data-testid="connection-edit"]')).toBeNull();
    expect(rows[0].querySelector('[data-testid="connection-remove"]')).toBeNull();
    expect(rows[1].textContent).toContain('Automation Suite · signed in with registrar-admin');
  });

  it('shows the issuer of an OAuth 2.0 server in its row', async () => {
    vi.mocked(listConnections).mockResolvedValue({ ...CONNECTIONS, connections: [SANDBOX, LOGIN_SERVER] });
    open();

    const row = (await screen.findAllByTestId('connection-row'))[1];

    expect(row.textContent).toContain('OAuth 2.0 server · initial access token');
    expect(within(row).getByTestId('connection-row-issuer').textContent).toBe('https://login.example.com');
  });

  it('renews only the sandbox’s credentials, then works on it and closes', async () => {
    vi.mocked(renewSandboxCredentials).mockResolvedValue(SANDBOX);
    const { onSwitched, onClose } = open();

    const rows = await screen.findAllByTestId('connection-row');
    expect(rows[1].querySelector('[data-testid="connection-renew"]')).toBeNull();
    await fireEvent.click(within(rows[0]).getByRole('button', { name: 'Renew credentials' }));

    await waitFor(() => expect(onSwitched).toHaveBeenCalledWith(SANDBOX));
    expect(renewSandboxCredentials).toHaveBeenCalledOnce();
    expect(onClose).toHaveBeenCalled();
  });

  it('says why the sandbox’s credentials were not renewed, and stays open', async () => {
    vi.mocked(renewSandboxCredentials).mockRejectedValue({ code: 'storage', message: 'The embedded sandbox has stopped.', field: null });
    const { onSwitched, onClose } = open();

    await fireEvent.click(await screen.findByTestId('connection-renew'));

    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain(
        'The credentials of “Sandbox” were not renewed. The embedded sandbox has stopped.',
      ),
    );
    expect(onSwitched).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
  });

  it('switches to another connection and closes', async () => {
    vi.mocked(selectConnection).mockResolvedValue(ACME);
    const { onSwitched, onClose } = open();

    await fireEvent.click((await screen.findAllByTestId('connection-use'))[0]);

    await waitFor(() => expect(onSwitched).toHaveBeenCalledWith(ACME));
    expect(selectConnection).toHaveBeenCalledWith(ACME.id);
    expect(onClose).toHaveBeenCalled();
  });

  it('switches once however often Use is pressed while the switch runs', async () => {
    let done: (view: ConnectionView) => void = () => {};
    vi.mocked(selectConnection).mockReturnValue(new Promise((resolve) => (done = resolve)));
    const { onSwitched } = open();
    const use = (await screen.findAllByTestId('connection-use'))[0];

    await fireEvent.click(use);
    await fireEvent.click(use);
    done(ACME);

    await waitFor(() => expect(onSwitched).toHaveBeenCalledOnce());
    expect(selectConnection).toHaveBeenCalledOnce();
  });

  it('checks the form before sending, then sends what was typed with the secret', async () => {
    const saved: ConnectionView = { ...ACME, id: 'new', name: 'Acme test', credential: 'clientSecret' };
    vi.mocked(saveConnection).mockResolvedValue(saved);
    const { onSwitched } = open();
    await fireEvent.click(await screen.findByTestId('connection-add'));

    await fireEvent.click(screen.getByTestId('connection-save'));
    expect(saveConnection).not.toHaveBeenCalled();
    expect(screen.getByTestId('connection-name-error').textContent).toBe('Give the connection a name.');
    expect(screen.getByTestId('connection-clientSecret-error').textContent).toBe('Give the admin app’s client secret.');
    expect(screen.queryByTestId('connection-host-error')).toBeNull();

    await fireEvent.change(screen.getByTestId('connection-kind'), { target: { value: 'automationSuite' } });
    await type('connection-name', ' Acme test ');
    await type('connection-host', 'suite.acme.test');
    await type('connection-organization', 'acme');
    await type('connection-clientId', 'registrar-admin');
    await type('connection-clientSecret', 's3cret');
    await fireEvent.click(screen.getByTestId('connection-save'));

    await waitFor(() => expect(onSwitched).toHaveBeenCalledWith(saved));
    expect(saveConnection).toHaveBeenCalledWith({
      id: null,
      name: 'Acme test',
      kind: 'automationSuite',
      host: 'suite.acme.test',
      organization: 'acme',
      organizationId: null,
      clientId: 'registrar-admin',
      credential: 'clientSecret',
      clientSecret: 's3cret',
      signInAgain: false,
      issuer: null,
      openRegistration: false,
      signInPort: null,
    });
  });

  it('adds an OAuth 2.0 server by its issuer and initial access token, without the UiPath fields', async () => {
    const saved: ConnectionView = { ...LOGIN_SERVER, id: 'new' };
    vi.mocked(saveConnection).mockResolvedValue(saved);
    const { onSwitched } = open();
    await fireEvent.click(await screen.findByTestId('connection-add'));

    await fireEvent.change(screen.getByTestId('connection-kind'), { target: { value: 'oauthServer' } });

    for (const hidden of ['host', 'organization', 'organizationId', 'clientId', 'clientSecret']) {
      expect(screen.queryByTestId(`connection-${hidden}`)).toBeNull();
    }
    expect(screen.queryByTestId('credential-secret')).toBeNull();
    expect(screen.queryByTestId('credential-sign-in')).toBeNull();
    expect(screen.getByLabelText('Issuer URL')).toBe(screen.getByTestId('connection-issuer'));
    expect((screen.getByLabelText('Initial access token') as HTMLInputElement).type).toBe('password');
    expect(screen.getByText(/its endpoints come from RFC 8414 or OpenID discovery/)).toBeTruthy();

    await fireEvent.click(screen.getByTestId('connection-save'));
    expect(saveConnection).not.toHaveBeenCalled();
    expect(screen.getByTestId('connection-issuer-error').textContent).toBe('Give the server’s issuer URL.');
    expect(screen.getByTestId('connection-initialAccessToken-error').textContent).toBe('Give the initial access token.');
    expect(screen.queryByTestId('connection-clientId-error')).toBeNull();

    await type('connection-name', 'Login server');
    await type('connection-issuer', 'login.example.com');
    expect(screen.getByTestId('connection-issuer-error').textContent).toBe(
      'Give the issuer as a URL, e.g. https://login.example.com.',
    );
    await type('connection-issuer', ' https://login.example.com ');
    await type('connection-initialAccessToken', 'iat-123');
    await fireEvent.click(screen.getByTestId('connection-save'));

    await waitFor(() => expect(onSwitched).toHaveBeenCalledWith(saved));
    expect(saveConnection).toHaveBeenCalledWith({
      id: null,
      name: 'Login server',
      kind: 'oauthServer',
      host: null,
      organization: '',
      organizationId: null,
      clientId: '',
      credential: 'initialAccessToken',
      clientSecret: 'iat-123',
      signInAgain: false,
      issuer: 'https://login.example.com',
      openRegistration: false,
      signInPort: null,
    });
  });

  it('adds an OAuth 2.0 server with open registration, asking for no token', async () => {
    const saved: ConnectionView = { ...LOGIN_SERVER, id: 'new', openRegistration: true };
    vi.mocked(saveConnection).mockResolvedValue(saved);
    open();
    await fireEvent.click(await screen.findByTestId('connection-add'));
    await fireEvent.change(screen.getByTestId('connection-kind'), { target: { value: 'oauthServer' } });
    await type('connection-name', 'Open server');
    await type('connection-issuer', 'https://login.example.com');
    await type('connection-initialAccessToken', 'typed-before');

    await fireEvent.click(screen.getByTestId('connection-open-registration'));
    expect(screen.queryByTestId('connection-initialAccessToken')).toBeNull();
    await fireEvent.click(screen.getByTestId('connection-save'));

    await waitFor(() =>
      expect(saveConnection).toHaveBeenCalledWith(
        expect.objectContaining({ openRegistration: true, clientSecret: null, credential: 'initialAccessToken' }),
      ),
    );
  });

  it('saves an OAuth 2.0 server with a check, never a sign-in, whatever was chosen for UiPath', async () => {
    vi.mocked(saveConnection).mockResolvedValue(LOGIN_SERVER);
    open();
    await fireEvent.click(await screen.findByTestId('connection-add'));
    await fireEvent.click(screen.getByTestId('credential-sign-in'));

    await fireEvent.change(screen.getByTestId('connection-kind'), { target: { value: 'oauthServer' } });
    await type('connection-name', 'Login server');
    await type('connection-issuer', 'https://login.example.com');
    await type('connection-initialAccessToken', 'iat-123');

    expect(screen.getByTestId('connection-save').textContent?.trim()).toBe('Check and save');
    await fireEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() => expect(saveConnection).toHaveBeenCalled());
    expect(vi.mocked(saveConnection).mock.calls[0][0]).toMatchObject({ credential: 'initialAccessToken', clientSecret: 'iat-123' });
    expect(screen.queryByTestId('connection-signing-in')).toBeNull();
  });

  it.each([
    ['issuer', 'The issuer URL must start with https:// (plain http is for a server on this computer only).'],
    ['initialAccessToken', 'The server refused the initial access token.'],
  ])('puts a refusal about the %s beside its input', async (field, message) => {
    vi.mocked(saveConnection).mockRejectedValue({ code: 'invalidInput', field, message });
    open();
    await fireEvent.click(await screen.findByTestId('connection-add'));
    await fireEvent.change(screen.getByTestId('connection-kind'), { target: { value: 'oauthServer' } });
    await type('connection-name', 'Login server');
    await type('connection-issuer', 'http://login.example.com');
    await type('connection-initialAccessToken', 'iat-123');

    await fireEvent.click(screen.getByTestId('connection-save'));

    expect((await screen.findByTestId(`connection-${field}-error`)).textContent).toBe(message);
    expect(screen.getByTestId(`connection-${field}`).getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(input('connection-initialAccessToken').value).toBe('iat-123');
  });

  it('puts a refusal from Rust beside its field and keeps everything typed', async () => {
    vi.mocked(saveConnection).mockRejectedValue({
      code: 'invalidInput',
      field: 'organizationId',
      message: 'The admin token does not name the organization: give its GUID.',
    });
    open();
    await fireEvent.click(await screen.findByTestId('connection-add'));
    await type('connection-name', 'Acme');
    await type('connection-organization', 'acme');
    await type('connection-clientId', 'registrar-admin');
    await type('connection-clientSecret', 's3cret');

    await fireEvent.click(screen.getByTestId('connection-save'));

    expect((await screen.findByTestId('connection-organizationId-error')).textContent).toContain('give its GUID');
    expect(input('connection-name').value).toBe('Acme');
    expect(input('connection-clientSecret').value).toBe('s3cret');
  });

  it('says a server failure in the footer and saves nothing', async () => {
    vi.mocked(saveConnection).mockRejectedValue({
      code: 'unauthorized',
      field: null,
      message: 'The identity server refused the admin app’s credentials.',
    });
    const { onSwitched } = open();
    await fireEvent.click(await screen.findByTestId('connection-add'));
    await type('connection-name', 'Acme');
    await type('connection-organization', 'acme');
    await type('connection-clientId', 'registrar-admin');
    await type('connection-clientSecret', 'wrong');

    await fireEvent.click(screen.getByTestId('connection-save'));

    expect((await screen.findByRole('alert')).textContent).toBe(
      'The connection was not saved. The identity server refused the admin app’s credentials.',
    );
    expect(onSwitched).not.toHaveBeenCalled();
  });

  it('signs in on the port the sign-in app registered, and says which redirect URL that is', async () => {
    vi.mocked(saveConnection).mockResolvedValue({ ...ACME, signInPort: 8400 });
    await openSignInForm();
    const port = screen.getByLabelText('Sign-in port (optional)');
    expect(screen.getByText(/registered exactly http:\/\/127\.0\.0\.1:52370\/callback/)).toBeTruthy();

    await type('connection-signInPort', '99999');
    await fireEvent.click(screen.getByTestId('connection-save'));
    expect(saveConnection).not.toHaveBeenCalled();
    expect(screen.getByTestId('connection-signInPort-error').textContent).toContain('1 to 65535');

    await type('connection-signInPort', '8400');
    expect(port.getAttribute('aria-describedby')).not.toBeNull();
    expect(screen.getByText(/registered exactly http:\/\/127\.0\.0\.1:8400\/callback/)).toBeTruthy();
    await fireEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() =>
      expect(saveConnection).toHaveBeenCalledWith(expect.objectContaining({ credential: 'signIn', signInPort: 8400 })),
    );
  });

  it('starts a sign-in only once it listens for the address Rust sends', async () => {
    let listening: (unlisten: () => void) => void = () => {};
    vi.mocked(onSignInUrl).mockReturnValue(new Promise((resolve) => (listening = resolve)));
    vi.mocked(saveConnection).mockReturnValue(new Promise(() => {}));
    await openSignInForm();

    await fireEvent.click(screen.getByTestId('connection-save'));
    expect(saveConnection).not.toHaveBeenCalled();
    listening(() => {});
    await waitFor(() => expect(saveConnection).toHaveBeenCalledOnce());
  });

  it('waits for the sign-in in the browser and can cancel it', async () => {
    let refuse: (reason: unknown) => void = () => {};
    vi.mocked(saveConnection).mockReturnValue(new Promise((_, reject) => (refuse = reject)));
    vi.mocked(cancelSignIn).mockImplementation(async () => {
      refuse({ code: 'invalidInput', field: null, message: 'The sign-in was cancelled; nothing was saved.' });
      return null;
    });
    await openSignInForm();
    expect(screen.queryByTestId('connection-clientSecret')).toBeNull();
    // The live region is there, empty, before the sign-in starts, so its text is announced.
    const status = screen.getByTestId('connection-sign-in-status');
    expect(status.getAttribute('role')).toBe('status');
    expect(status.textContent?.trim()).toBe('');

    await fireEvent.click(screen.getByTestId('connection-save'));

    expect((await screen.findByTestId('connection-signing-in')).textContent).toContain('Sign in through the browser window that opened');
    expect(screen.getByTestId('connection-sign-in-status')).toBe(status);
    expect(status.textContent).toContain('Waiting for the sign-in');
    const showUrl = vi.mocked(onSignInUrl).mock.calls[0][0];
    showUrl('https://suite.acme.test/acme/identity_/connect/authorize?client_id=registrar-sign-in');
    expect((await screen.findByTestId('connection-sign-in-url')).textContent).toBe(
      'https://suite.acme.test/acme/identity_/connect/authorize?client_id=registrar-sign-in',
    );
    expect(vi.mocked(saveConnection).mock.calls[0][0]).toMatchObject({ credential: 'signIn', clientSecret: null });
    await fireEvent.click(screen.getByTestId('connection-cancel-sign-in'));
    expect(cancelSignIn).toHaveBeenCalled();
    expect((await screen.findByRole('alert')).textContent).toContain('The sign-in was cancelled');
    expect(input('connection-name').value).toBe('Acme');
  });

  it('on Escape keeps a connection waiting for removal, cancels a sign-in, goes back from the form, then closes', async () => {
    let refuse: (reason: unknown) => void = () => {};
    vi.mocked(saveConnection).mockReturnValue(new Promise((_, reject) => (refuse = reject)));
    vi.mocked(cancelSignIn).mockImplementation(async () => {
      refuse({ code: 'invalidInput', field: null, message: 'The sign-in was cancelled; nothing was saved.' });
      return null;
    });
    const { onClose } = open();
    const escape = () => fireEvent.keyDown(screen.getByTestId('connections-dialog'), { key: 'Escape' });

    await fireEvent.click(await screen.findByTestId('connection-remove'));
    await escape();
    expect(screen.queryByTestId('connection-remove-confirm')).toBeNull();

    await fireEvent.click(screen.getByTestId('connection-add'));
    await type('connection-name', 'Acme');
    await type('connection-organization', 'acme');
    await fireEvent.click(screen.getByTestId('credential-sign-in'));
    await type('connection-clientId', 'registrar-sign-in');
    await fireEvent.click(screen.getByTestId('connection-save'));
    await screen.findByTestId('connection-signing-in');
    await escape();
    expect(cancelSignIn).toHaveBeenCalledOnce();
    expect((await screen.findByRole('alert')).textContent).toContain('The sign-in was cancelled');
    expect(input('connection-name').value).toBe('Acme');

    await escape();
    expect(screen.queryByTestId('connection-name')).toBeNull();
    expect(screen.getAllByTestId('connection-row')).toHaveLength(2);
    expect(onClose).not.toHaveBeenCalled();

    await escape();
    expect(onClose).toHaveBeenCalledOnce();
  });

  it('edits a connection without asking for the secret again', async () => {
    const withSecret: ConnectionView = { ...ACME, credential: 'clientSecret' };
    vi.mocked(listConnections).mockResolvedValue({ ...CONNECTIONS, connections: [SANDBOX, withSecret] });
    vi.mocked(saveConnection).mockResolvedValue({ ...withSecret, name: 'Acme prod' });
    open();
    await fireEvent.click(await screen.findByTestId('connection-edit'));
    expect(input('connection-host').value).toBe('suite.acme.test');

    await type('connection-name', 'Acme prod');
    await fireEvent.click(screen.getByTestId('connection-save'));

    await waitFor(() => expect(saveConnection).toHaveBeenCalled());
    expect(vi.mocked(saveConnection).mock.calls[0][0]).toMatchObject({ id: ACME.id, name: 'Acme prod', clientSecret: null });
  });

  it('moves focus into the form and back, and to the first field in error', async () => {
    open();
    const add = await screen.findByTestId('connection-add');

    await fireEvent.click(add);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('connection-name')));

    await type('connection-name', 'Acme');
    await fireEvent.click(screen.getByTestId('connection-save'));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('connection-organization')));

    await fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('connection-add')));
  });

  it('keeps the saved secret of an edit only for the same admin app on the same server', async () => {
    const withSecret: ConnectionView = { ...ACME, credential: 'clientSecret' };
    vi.mocked(listConnections).mockResolvedValue({ ...CONNECTIONS, connections: [SANDBOX, withSecret] });
    open();
    await fireEvent.click(await screen.findByTestId('connection-edit'));

    await type('connection-host', 'suite.typo.test');
    await fireEvent.click(screen.getByTestId('connection-save'));

    expect(screen.getByTestId('connection-clientSecret-error').textContent).toBe('Give the admin app’s client secret.');
    expect(saveConnection).not.toHaveBeenCalled();
  });

  it('keeps the saved initial access token of an edit only while the issuer is the same', async () => {
    vi.mocked(listConnections).mockResolvedValue({ ...CONNECTIONS, connections: [SANDBOX, LOGIN_SERVER] });
    vi.mocked(saveConnection).mockResolvedValue({ ...LOGIN_SERVER, name: 'Login' });
    open();
    await fireEvent.click(await screen.findByTestId('connection-edit'));
    expect((screen.getByTestId('connection-kind') as HTMLSelectElement).value).toBe('oauthServer');
    expect(input('connection-issuer').value).toBe('https://login.example.com');
    expect(input('connection-initialAccessToken').value).toBe('');
    expect(screen.getByText('Leave empty to keep the token in the keychain; a new one replaces it and keeps the registered apps.')).toBeTruthy();

    await type('connection-issuer', 'https://other.example.com');
    await fireEvent.click(screen.getByTestId('connection-save'));
    expect(screen.getByTestId('connection-initialAccessToken-error').textContent).toBe('Give the initial access token.');
    expect(saveConnection).not.toHaveBeenCalled();

    await type('connection-issuer', 'https://login.example.com');
    await type('connection-name', 'Login');
    expect(screen.queryByTestId('connection-initialAccessToken-error')).toBeNull();
    await fireEvent.click(screen.getByTestId('connection-save'));

    await waitFor(() => expect(saveConnection).toHaveBeenCalled());
    expect(vi.mocked(saveConnection).mock.calls[0][0]).toMatchObject({
      id: LOGIN_SERVER.id,
      name: 'Login',
      kind: 'oauthServer',
      credential: 'initialAccessToken',
      clientSecret: null,
      issuer: 'https://login.example.com',
    });
  });

  it('removes a connection only once confirmed', async () => {
    vi.mocked(removeConnection).mockResolvedValue({ ...CONNECTIONS, connections: [SANDBOX] });
    open();

    await fireEvent.click(await screen.findByTestId('connection-remove'));
    expect(removeConnection).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('connection-remove-confirm'));

    await waitFor(() => expect(screen.getAllByTestId('connection-row')).toHaveLength(1));
    expect(removeConnection).toHaveBeenCalledWith(ACME.id);
  });

  it('says that removing the connection in use goes back to the sandbox', async () => {
    open();
    await fireEvent.click(await screen.findByTestId('connection-remove'));
    expect(screen.queryByTestId('connection-remove-current')).toBeNull();
    await fireEvent.click(screen.getByText('Keep'));

    vi.mocked(listConnections).mockResolvedValue({ ...CONNECTIONS, currentId: ACME.id });
    cleanup();
    open();
    await fireEvent.click(await screen.findByTestId('connection-remove'));
    expect(screen.getByTestId('connection-remove-current').textContent).toContain('goes back to the sandbox');
  });

  it('says nothing of registered clients when removing a UiPath connection', async () => {
    open();

    await fireEvent.click(await screen.findByTestId('connection-remove'));

    const confirm = screen.getByTestId('connection-remove-confirm');
    expect(confirm.textContent?.trim()).toBe('Remove, and its keychain entry');
    expect(confirm.hasAttribute('aria-describedby')).toBe(false);
    expect(screen.queryByTestId('connection-remove-clients')).toBeNull();
  });

  it('warns, before removing an OAuth 2.0 server, that Registrar loses hold of the clients it registered there', async () => {
    vi.mocked(listConnections).mockResolvedValue({ ...CONNECTIONS, connections: [SANDBOX, LOGIN_SERVER] });
    vi.mocked(removeConnection).mockResolvedValue({ ...CONNECTIONS, connections: [SANDBOX] });
    open();
    const row = (await screen.findAllByTestId('connection-row'))[1];
    expect(within(row).queryByTestId('connection-remove-clients')).toBeNull();

    await fireEvent.click(within(row).getByTestId('connection-remove'));

    const warning = within(row).getByTestId('connection-remove-clients');
    const text = warning.textContent?.replace(/\s+/g, ' ').trim();
    expect(text).toContain('forgets the registration access tokens of the clients it registered through this connection');
    expect(text).toContain('The clients stay on the server, but Registrar can no longer read, change or delete them.');
    const confirm = within(row).getByTestId('connection-remove-confirm');
    expect(confirm.getAttribute('aria-describedby')).toBe(warning.id);
    expect(removeConnection).not.toHaveBeenCalled();

    await fireEvent.click(within(row).getByRole('button', { name: 'Keep' }));
    expect(within(row).queryByTestId('connection-remove-clients')).toBeNull();
    await fireEvent.click(within(row).getByTestId('connection-remove'));
    await fireEvent.click(within(row).getByTestId('connection-remove-confirm'));

    await waitFor(() => expect(screen.getAllByTestId('connection-row')).toHaveLength(1));
    expect(removeConnection).toHaveBeenCalledExactlyOnceWith(LOGIN_SERVER.id);
  });
});
