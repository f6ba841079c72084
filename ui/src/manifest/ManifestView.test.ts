import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { compareManifest, type ManifestComparison } from '../ipc';
import ManifestView from './ManifestView.svelte';

vi.mock('../ipc/commands');

const COMPARED: ManifestComparison = {
  path: '/home/admin/apps.yaml',
  onlyInManifest: ['Planned'],
  differ: [
    {
      id: 'ledger-id',
      name: 'Ledger',
      rename: null,
      scopesAdded: [],
      scopesRemoved: [{ name: 'OR.Queues', type: 'application' }],
      redirectUrisAdded: ['https://ledger.example.com/cb'],
      redirectUrisRemoved: [],
    },
  ],
  onlyOnServer: [{ id: 'stray-id', name: 'Stray' }],
  same: ['Registrar admin'],
};

describe('ManifestView', () => {
  it('shows what applying the manifest would create, change and leave, and opens an app', async () => {
    vi.mocked(compareManifest).mockResolvedValue(COMPARED);
    const onOpen = vi.fn();
    render(ManifestView, { onBack: vi.fn(), onOpen });

    expect((await screen.findByTestId('manifest-only-in-manifest')).textContent).toContain('Planned');
    const differ = screen.getByTestId('manifest-differ').textContent?.replace(/\s+/g, ' ');
    expect(differ).toContain('− scope OR.Queues (application)');
    expect(differ).toContain('+ redirect URL https://ledger.example.com/cb');
    expect(screen.getByTestId('manifest-same').textContent).toContain('Registrar admin');
    expect(screen.queryByTestId('manifest-in-step')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Stray' }));
    expect(onOpen).toHaveBeenCalledWith('stray-id');
  });

  it('says when every app is as the manifest says, and goes back when no file was chosen', async () => {
    vi.mocked(compareManifest).mockResolvedValueOnce({ ...COMPARED, onlyInManifest: [], differ: [], onlyOnServer: [] });
    render(ManifestView, { onBack: vi.fn(), onOpen: vi.fn() });
    expect((await screen.findByTestId('manifest-in-step')).textContent).toContain('(1)');

    vi.mocked(compareManifest).mockResolvedValueOnce(null);
    const onBack = vi.fn();
    render(ManifestView, { onBack, onOpen: vi.fn() });
    await vi.waitFor(() => expect(onBack).toHaveBeenCalledOnce());
  });
});
