import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyLanguage } from '../i18n/index.svelte';
import { getSettings, saveSettings } from '../ipc';
import SettingsDialog from './SettingsDialog.svelte';

vi.mock('../ipc/commands');

const saveMock = vi.mocked(saveSettings);

afterEach(() => applyLanguage('en'));

const ALERTS = { expiryAlerts: true, alertDays: [30, 7, 1], theme: 'system' as const, language: 'system' as const };

async function renderDialog() {
  const onClose = vi.fn();
  render(SettingsDialog, { onClose });
  const input = (await screen.findByTestId('settings-clear-seconds')) as HTMLInputElement;
  return { onClose, input };
}

beforeEach(() => {
  vi.mocked(getSettings).mockReset().mockResolvedValue({ clipboardClearSeconds: 30, maxSecretAgeDays: 730, ...ALERTS });
  saveMock.mockReset();
});

describe('SettingsDialog', () => {
  it('shows the saved time, sends the new number and closes', async () => {
    saveMock.mockResolvedValue({ clipboardClearSeconds: 45, maxSecretAgeDays: 730, ...ALERTS });
    const { onClose, input } = await renderDialog();

    expect(screen.getByLabelText('Clear a copied secret from the clipboard after (seconds)')).toBe(input);
    expect(input.value).toBe('30');
    expect([input.min, input.max]).toEqual(['5', '600']);
    await fireEvent.input(input, { target: { value: '45' } });
    await fireEvent.click(screen.getByTestId('settings-save'));

    expect(saveMock).toHaveBeenCalledExactlyOnceWith({ clipboardClearSeconds: 45, maxSecretAgeDays: 730, ...ALERTS });
    await waitFor(() => expect(onClose).toHaveBeenCalledOnce());
  });

  it('sends the longest life of a secret, and nothing outside 30 to 3650 days', async () => {
    saveMock.mockResolvedValue({ clipboardClearSeconds: 30, maxSecretAgeDays: 365, ...ALERTS });
    await renderDialog();
    const days = screen.getByLabelText('The longest a secret should live (days)') as HTMLInputElement;
    expect(days.value).toBe('730');

    for (const value of ['29', '3651']) {
      await fireEvent.input(days, { target: { value } });
      await fireEvent.click(screen.getByTestId('settings-save'));
    }
    expect(saveMock).not.toHaveBeenCalled();
    expect(screen.getByText('Enter a whole number from 30 to 3650.')).toBeTruthy();

    await fireEvent.input(days, { target: { value: '365' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect(saveMock).toHaveBeenCalledExactlyOnceWith({ clipboardClearSeconds: 30, maxSecretAgeDays: 365, ...ALERTS });
  });

  it('turns notifications off, and sends their days as numbers, nothing but up to five from 1 to 365', async () => {
    await renderDialog();
    const days = screen.getByLabelText('Days before the expiry') as HTMLInputElement;
    expect(days.value).toBe('30, 7, 1');

    for (const value of ['14, 0', '400', '1 2 3 4 5 6', 'soon']) {
      await fireEvent.input(days, { target: { value } });
      await fireEvent.click(screen.getByTestId('settings-save'));
    }
    expect(saveMock).not.toHaveBeenCalled();
    expect(screen.getByText(/Enter up to 5 whole numbers from 1 to 365/)).toBeTruthy();

    await fireEvent.input(days, { target: { value: '14,3 1' } });
    await fireEvent.click(screen.getByTestId('settings-expiry-alerts'));
    expect(days.disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect(saveMock).toHaveBeenCalledExactlyOnceWith({
      clipboardClearSeconds: 30,
      maxSecretAgeDays: 730,
      expiryAlerts: false,
      alertDays: [14, 3, 1],
      theme: 'system',
      language: 'system',
    });
  });

  it('saves the appearance and paints the window with it at once', async () => {
    saveMock.mockResolvedValue({ clipboardClearSeconds: 30, maxSecretAgeDays: 730, ...ALERTS, theme: 'dark', language: 'system' });
    await renderDialog();
    expect((screen.getByTestId('settings-theme') as HTMLSelectElement).value).toBe('system');

    await fireEvent.change(screen.getByTestId('settings-theme'), { target: { value: 'dark' } });
    await fireEvent.click(screen.getByTestId('settings-save'));

    expect(saveMock).toHaveBeenCalledExactlyOnceWith({ clipboardClearSeconds: 30, maxSecretAgeDays: 730, ...ALERTS, theme: 'dark', language: 'system' });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
  });

  it('saves the language and speaks it at once', async () => {
    saveMock.mockResolvedValue({ clipboardClearSeconds: 30, maxSecretAgeDays: 730, ...ALERTS, language: 'ja' });
    await renderDialog();
    expect((screen.getByTestId('settings-language') as HTMLSelectElement).value).toBe('system');

    await fireEvent.change(screen.getByTestId('settings-language'), { target: { value: 'ja' } });
    await fireEvent.click(screen.getByTestId('settings-save'));

    expect(saveMock).toHaveBeenCalledExactlyOnceWith({ clipboardClearSeconds: 30, maxSecretAgeDays: 730, ...ALERTS, language: 'ja' });
    expect(document.documentElement.lang).toBe('ja');
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('設定');
  });

  it('sends nothing outside 5 to 600 seconds', async () => {
    const { input } = await renderDialog();

    for (const value of ['4', '601', '']) {
      await fireEvent.input(input, { target: { value } });
      await fireEvent.click(screen.getByTestId('settings-save'));
    }

    expect(saveMock).not.toHaveBeenCalled();
    expect(screen.getByText('Enter a whole number from 5 to 600.')).toBeTruthy();
  });

  it('says why it was not saved and stays open', async () => {
    saveMock.mockRejectedValue({ code: 'storage', message: 'The settings file is read-only.', field: null });
    const { onClose, input } = await renderDialog();

    await fireEvent.input(input, { target: { value: '90' } });
    await fireEvent.click(screen.getByTestId('settings-save'));

    expect((await screen.findByRole('alert')).textContent).toBe(
      'The settings were not saved. The settings file is read-only.',
    );
    expect(onClose).not.toHaveBeenCalled();
  });

  it('closes on Cancel without saving', async () => {
    const { onClose } = await renderDialog();

    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));

    expect(onClose).toHaveBeenCalledOnce();
    expect(saveMock).not.toHaveBeenCalled();
  });
});
