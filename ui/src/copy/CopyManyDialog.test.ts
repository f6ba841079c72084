import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { copyApp, listConnections } from '../ipc';
import { BILLING, CONNECTIONS, PORTAL } from '../testing/fixtures';
import CopyManyDialog from './CopyManyDialog.svelte';

vi.mock('../ipc/commands');

beforeEach(() => {
  vi.mocked(listConnections).mockReset().mockResolvedValue(CONNECTIONS);
  vi.mocked(copyApp).mockReset();
});

describe('CopyManyDialog', () => {
  it('copies the ticked apps one by one without showing a secret, and says how each went', async () => {
    vi.mocked(copyApp)
      .mockResolvedValueOnce({ connectionId: 'acme', appId: 'billing-copy', secret: null })
      .mockRejectedValueOnce({ code: 'conflict', message: 'The name is taken there.', field: null });
    const onOpen = vi.fn();
    render(CopyManyDialog, { apps: [BILLING, PORTAL], onClose: vi.fn(), onOpen });

    const ticks = (await screen.findAllByTestId('copy-many-app')) as HTMLInputElement[];
    await fireEvent.click(screen.getByTestId('copy-many-submit'));
    expect(screen.getByRole('alert').textContent).toContain('Tick the apps to copy');
    for (const tick of ticks) {
      await fireEvent.click(tick);
    }
    await fireEvent.change(screen.getByTestId('copy-many-target'), { target: { value: 'acme' } });
    expect(screen.getByTestId('copy-many-submit').textContent).toContain('Copy 2 apps');
    await fireEvent.click(screen.getByTestId('copy-many-submit'));

    await waitFor(() => expect(screen.getAllByTestId('copy-many-outcome')).toHaveLength(2));
    expect(copyApp).toHaveBeenNthCalledWith(1, BILLING.id, 'acme', false, false);
    expect(copyApp).toHaveBeenNthCalledWith(2, PORTAL.id, 'acme', false, false);
    const [copied, refused] = screen.getAllByTestId('copy-many-outcome');
    expect(refused.textContent).toContain('Not copied Partner portal: The name is taken there.');
    await fireEvent.click(copied.querySelector('button')!);
    expect(onOpen).toHaveBeenCalledWith('acme', 'billing-copy');
  });
});
