import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { copySecret, copyText, type RegisteredApp } from '../ipc';
import { BILLING, PORTAL } from '../testing/fixtures';
import SecretDialog from './SecretDialog.svelte';

vi.mock('../ipc/clipboard');
vi.mock('../ipc/commands');

const copyMock = vi.mocked(copyText);
const copySecretMock = vi.mocked(copySecret);
const CONFIDENTIAL: RegisteredApp = { app: BILLING, secret: 'q8#Zr!x_2v' };

function renderDialog(result: RegisteredApp) {
  const onClose = vi.fn();
  const onOpen = vi.fn();
  const onVerify = vi.fn();
  render(SecretDialog, { result, onClose, onOpen, onVerify });
  return { onClose, onOpen, onVerify };
}

beforeEach(() => {
  copyMock.mockReset().mockResolvedValue();
  copySecretMock.mockReset().mockResolvedValue({ clearsInSeconds: 30, copy: 1 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('SecretDialog', () => {
  it('is a modal dialog showing the exact App ID and secret with the one-time warning', () => {
    renderDialog(CONFIDENTIAL);

    const dialog = screen.getByRole('dialog', { name: 'Application registered' });
    expect(dialog.dataset.testid).toBe('secret-dialog');
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(screen.getByTestId('result-app-id').textContent).toBe(BILLING.id);
    expect(screen.getByTestId('result-secret').textContent).toBe('q8#Zr!x_2v');
    expect(
      screen.getByText('This secret is shown only once. Store it now — it cannot be shown again.'),
    ).toBeTruthy();
    expect(dialog.contains(document.activeElement)).toBe(true);
  });

  it('closes only once the secret is marked stored, then drops it and tells the parent', async () => {
    const { onClose } = renderDialog(CONFIDENTIAL);
    const close = screen.getByTestId('result-close') as HTMLButtonElement;
    expect(close.disabled).toBe(true);
    expect((screen.getByTestId('result-open') as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(screen.getByTestId('result-stored'));
    await fireEvent.click(close);

    expect(screen.queryByTestId('result-secret')).toBeNull();
    expect(document.body.textContent).not.toContain('q8#Zr!x_2v');
    expect(onClose).toHaveBeenCalledOnce();
  });

  it('leads on to the page of the new app', async () => {
    const { onClose, onOpen } = renderDialog(CONFIDENTIAL);

    await fireEvent.click(screen.getByTestId('result-stored'));
    await fireEvent.click(screen.getByRole('button', { name: 'Open the app' }));

    expect(onOpen).toHaveBeenCalledOnce();
    expect(onClose).not.toHaveBeenCalled();
    expect(document.body.textContent).not.toContain('q8#Zr!x_2v');
  });

  it('leads on to verifying the new credentials, once the secret is stored', async () => {
    const { onClose, onOpen, onVerify } = renderDialog(CONFIDENTIAL);
    const verify = screen.getByRole('button', { name: 'Verify now' }) as HTMLButtonElement;
    expect(verify.disabled).toBe(true);

    await fireEvent.click(screen.getByTestId('result-stored'));
    await fireEvent.click(verify);

    expect(onVerify).toHaveBeenCalledOnce();
    expect(onOpen).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
    expect(document.body.textContent).not.toContain('q8#Zr!x_2v');
  });

  it('does not close on Escape', async () => {
    const { onClose } = renderDialog(CONFIDENTIAL);

    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });

    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByTestId('result-secret').textContent).toBe('q8#Zr!x_2v');
  });

  it('for a non-confidential app shows no secret and mentions PKCE', () => {
    renderDialog({ app: PORTAL, secret: null });

    expect(screen.getByTestId('result-app-id').textContent).toBe(PORTAL.id);
    expect(screen.queryByTestId('result-secret')).toBeNull();
    expect(screen.queryByText(/shown only once/)).toBeNull();
    expect(screen.getByText(/PKCE/)).toBeTruthy();
    expect(screen.queryByTestId('result-stored')).toBeNull();
    expect(screen.queryByTestId('result-verify')).toBeNull();
    expect((screen.getByTestId('result-close') as HTMLButtonElement).disabled).toBe(false);
  });

  it('copies the exact App ID and confirms for a moment', async () => {
    vi.useFakeTimers();
    renderDialog(CONFIDENTIAL);

    await fireEvent.click(screen.getByRole('button', { name: 'Copy App ID' }));

    expect(copyMock.mock.calls).toEqual([[BILLING.id]]);
    const shown = () => screen.getByRole('button', { name: 'Copy App ID' }).querySelector('.shown')?.textContent;
    await vi.waitFor(() => expect(shown()).toBe('Copied'));
    await vi.advanceTimersByTimeAsync(2000);
    expect(shown()).toBe('Copy');
  });

  it('has Rust copy the secret by the app id, never JavaScript, and says when it is cleared', async () => {
    renderDialog(CONFIDENTIAL);

    await fireEvent.click(screen.getByTestId('copy-secret'));

    expect(copySecretMock).toHaveBeenCalledExactlyOnceWith(BILLING.id);
    expect(copyMock).not.toHaveBeenCalled();
    expect(await screen.findByText('Copied · 30 s')).toBeTruthy();
  });

  it('says in words when copying fails', async () => {
    copySecretMock.mockRejectedValue({ code: 'clipboard', message: 'The clipboard is not available.', field: null });
    renderDialog(CONFIDENTIAL);

    await fireEvent.click(screen.getByRole('button', { name: 'Copy secret' }));

    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        'Could not copy the secret: The clipboard is not available.',
      ),
    );
    expect(screen.getByTestId('copy-secret-label').textContent).toBe('Copy');
  });

  it('wraps Tab around inside the dialog', async () => {
    renderDialog(CONFIDENTIAL);
    const first = screen.getByRole('button', { name: 'Copy App ID' });
    await fireEvent.click(screen.getByTestId('result-stored'));
    const last = screen.getByTestId('result-open');
    expect(document.activeElement).toBe(first);

    last.focus();
    await fireEvent.keyDown(last, { key: 'Tab' });
    expect(document.activeElement).toBe(first);

    await fireEvent.keyDown(first, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(last);
  });
});
