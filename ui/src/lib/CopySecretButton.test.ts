import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { copySecret, onSecretCleared, type SecretCleared } from '../ipc';
import CopySecretButton from './CopySecretButton.svelte';

vi.mock('../ipc/commands');
vi.mock('../ipc/events');

/** Delivers a `secret-cleared` event as Rust would. */
let deliver: (cleared: SecretCleared) => void;

beforeEach(() => {
  vi.useFakeTimers();
  vi.mocked(copySecret).mockReset().mockResolvedValue({ clearsInSeconds: 65, copy: 7 });
  vi.mocked(onSecretCleared)
    .mockReset()
    .mockImplementation(async (handler) => {
      deliver = handler;
      return () => {};
    });
});

afterEach(() => {
  vi.useRealTimers();
});

function label(): string {
  return screen.getByTestId('copy-secret-label').textContent ?? '';
}

function status(): string {
  return screen.getByTestId('copy-secret-status').textContent ?? '';
}

async function copied() {
  render(CopySecretButton, { appId: 'billing', label: 'Copy secret' });
  await fireEvent.click(screen.getByTestId('copy-secret'));
  await vi.waitFor(() => expect(label()).toBe('Copied · 1:05'));
}

describe('CopySecretButton', () => {
  it('counts down to the clear on the button, and says it in full to screen readers', async () => {
    await copied();

    expect(status()).toBe('Copied. It is cleared from the clipboard in 65 seconds.');
    await vi.advanceTimersByTimeAsync(6000);
    expect(label()).toBe('Copied · 59 s');
    expect(screen.getByTestId('copy-secret').getAttribute('title')).toBe('Cleared from the clipboard in 59 s');
  });

  it('confirms the clear when Rust reports it for this copy, then offers to copy again', async () => {
    await copied();

    deliver({ copy: 6, outcome: 'cleared' });
    await vi.advanceTimersByTimeAsync(0);
    expect(label()).toBe('Copied · 1:05');
    deliver({ copy: 7, outcome: 'cleared' });
    await vi.advanceTimersByTimeAsync(0);
    expect(label()).toBe('Cleared');
    expect(status()).toBe('The secret was cleared from the clipboard.');

    await vi.advanceTimersByTimeAsync(4000);
    expect(label()).toBe('Copy secret');
  });

  it('says when the clipboard was left alone because something else was copied since', async () => {
    await copied();

    deliver({ copy: 7, outcome: 'copiedOver' });
    await vi.advanceTimersByTimeAsync(0);

    expect(label()).toBe('Copy secret');
    expect(status()).toBe('Something else was copied since, so the clipboard was left as it is.');
  });

  it('says when the clear failed, and what to do', async () => {
    await copied();

    deliver({ copy: 7, outcome: 'failed' });
    await vi.advanceTimersByTimeAsync(0);

    expect(screen.getByRole('alert').textContent).toBe(
      'Could not clear the secret from the clipboard: clear it by copying something else.',
    );
  });

  it('stops counting when no word comes a few seconds after the clear was due', async () => {
    await copied();

    await vi.advanceTimersByTimeAsync(69_000);
    expect(label()).toBe('Copied · 0 s');
    await vi.advanceTimersByTimeAsync(1000);
    expect(label()).toBe('Copy secret');
  });

  it('keeps one width whatever it says: every label sits in the same grid cell', async () => {
    await copied();

    const sizers = [...screen.getByTestId('copy-secret').querySelectorAll('.sizer')].map((s) => s.textContent);
    expect(sizers).toEqual(['Copy secret', 'Copied · 00 s', 'Copied · 0:00', 'Cleared']);
  });
});
