import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { expiringSecrets, type ExpiringOverview } from '../ipc';
import ExpiringView from './ExpiringView.svelte';

vi.mock('../ipc/commands');

const OVERVIEW: ExpiringOverview = {
  rows: [
    {
      connectionId: 'c1',
      connectionName: 'Production',
      appId: 'app-1',
      appName: 'Reports',
      urgency: 'noActiveSecret',
      secretId: null,
      description: null,
      expires: null,
    },
    {
      connectionId: 'c2',
      connectionName: 'Staging',
      appId: 'app-2',
      appName: 'Billing sync',
      urgency: 'within7Days',
      secretId: 7,
      description: 'Nightly',
      expires: '2031-01-05T14:59:59Z',
    },
  ],
  unreachable: [{ connectionId: 'c3', connectionName: 'Old tenant', reason: 'The server did not answer.' }],
  rotations: [],
};

describe('ExpiringView', () => {
  it('lists the most urgent first, says which connection could not be read, and opens a row’s app', async () => {
    vi.mocked(expiringSecrets).mockResolvedValue(OVERVIEW);
    const onOpen = vi.fn();
    render(ExpiringView, { onBack: vi.fn(), onOpen });

    const rows = await screen.findAllByTestId('expiring-row');
    const text = rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim()).join(' | '));
    expect(text[0]).toContain('No working secret');
    expect(text[0]).toContain('No secret works');
    expect(text[1]).toMatch(/^Within 7 days \| Billing sync \| Nightly \| .*2031.* \| Staging$/);
    expect(screen.getByTestId('expiring-unreachable').textContent).toContain(
      '“Old tenant” could not be read, so its secrets are not listed: The server did not answer.',
    );

    await fireEvent.click(screen.getByRole('button', { name: 'Billing sync' }));
    expect(onOpen).toHaveBeenCalledWith('c2', 'app-2');
  });

  it('lists the rotations in progress with the steps done, each opening its app', async () => {
    vi.mocked(expiringSecrets).mockResolvedValue({
      ...OVERVIEW,
      rotations: [
        {
          connectionId: 'c2',
          connectionName: 'Staging',
          appId: 'app-2',
          appName: 'Billing sync',
          rotation: {
            newSecretId: 8,
            oldSecretIds: [7],
            startedAt: '2031-01-02T10:00:00Z',
            verifiedAt: '2031-01-02T10:05:00Z',
            sheetExportedAt: null,
          },
        },
      ],
    });
    const onOpen = vi.fn();
    render(ExpiringView, { onBack: vi.fn(), onOpen });

    const [row] = await screen.findAllByTestId('rotation-row');
    const cells = [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim());
    expect(cells[0]).toBe('Billing sync');
    expect(cells[1]).toContain('2031');
    expect(cells[2]).toContain('2031');
    expect(cells.slice(3)).toEqual(['Not yet', 'Staging']);
    await fireEvent.click(row.querySelector('button')!);
    expect(onOpen).toHaveBeenCalledWith('c2', 'app-2');
  });

  it('says when the overview could not be made, and reads again on request', async () => {
    vi.mocked(expiringSecrets)
      .mockRejectedValueOnce({ code: 'keychain', message: 'The keychain is locked.', field: null })
      .mockResolvedValueOnce({ rows: [], unreachable: [], rotations: [] });
    render(ExpiringView, { onBack: vi.fn(), onOpen: vi.fn() });

    expect((await screen.findByRole('alert')).textContent).toContain('The keychain is locked.');
    await fireEvent.click(screen.getByRole('button', { name: 'Read again' }));
    expect(await screen.findByText('No confidential application has a secret on any connection.')).toBeTruthy();
  });
});
