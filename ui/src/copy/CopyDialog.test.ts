import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { copyApp, listConnections, planCopy, type CopyPreview } from '../ipc';
import { BILLING_DETAILS, CONNECTIONS } from '../testing/fixtures';
import CopyDialog from './CopyDialog.svelte';

vi.mock('../ipc/commands');

const PREVIEW: CopyPreview = {
  targetId: 'acme',
  targetName: 'Acme production',
  name: 'Billing sync',
  appType: 'confidential',
  scopes: [{ name: 'OR.Jobs', type: 'application' }],
  redirectUris: ['https://billing.example.com/cb'],
  secretLifetimeDays: 365,
  notOffered: [{ name: 'OR.Jobs.Read', type: 'user' }],
  existingAppId: null,
};

async function renderDialog() {
  const onCopied = vi.fn();
  render(CopyDialog, { app: BILLING_DETAILS, onCancel: vi.fn(), onCopied });
  const target = (await screen.findByTestId('copy-target')) as HTMLSelectElement;
  return { onCopied, target };
}

beforeEach(() => {
  vi.mocked(listConnections).mockReset().mockResolvedValue(CONNECTIONS);
  vi.mocked(planCopy).mockReset();
  vi.mocked(copyApp).mockReset();
});

describe('CopyDialog', () => {
  it('offers the other connections, names what the target lacks, and copies without it only when asked', async () => {
    vi.mocked(planCopy).mockResolvedValue(PREVIEW);
    const copied = { connectionId: 'acme', appId: 'new-id', secret: null };
    vi.mocked(copyApp).mockResolvedValue(copied);
    const { onCopied, target } = await renderDialog();

    expect([...target.options].map((o) => o.textContent)).toEqual(['Choose a connection…', 'Acme production']);
    await fireEvent.change(target, { target: { value: 'acme' } });
    expect(planCopy).toHaveBeenCalledWith(BILLING_DETAILS.id, 'acme');
    const lacks = await screen.findByTestId('copy-not-offered');
    expect(lacks.textContent?.replace(/\s+/g, ' ')).toContain('does not offer OR.Jobs.Read (user)');
    expect(screen.getByTestId('copy-preview').textContent).toContain('expires after 365 days');
    const submit = screen.getByTestId('copy-submit') as HTMLButtonElement;
    expect(submit.disabled).toBe(true);

    await fireEvent.click(screen.getByTestId('copy-leave-out'));
    expect(submit.disabled).toBe(false);
    await fireEvent.click(submit);
    expect(copyApp).toHaveBeenCalledExactlyOnceWith(BILLING_DETAILS.id, 'acme', true, true);
    await waitFor(() => expect(onCopied).toHaveBeenCalledWith(copied));
  });

  it('copies nothing over an app of the same name on the target', async () => {
    vi.mocked(planCopy).mockResolvedValue({ ...PREVIEW, notOffered: [], existingAppId: 'acme-billing' });
    const { target } = await renderDialog();

    await fireEvent.change(target, { target: { value: 'acme' } });
    expect((await screen.findByTestId('copy-existing')).textContent).toContain('acme-billing');
    expect((screen.getByTestId('copy-submit') as HTMLButtonElement).disabled).toBe(true);
  });

  it('says why the copy was refused, and keeps the dialog', async () => {
    vi.mocked(planCopy).mockResolvedValue({ ...PREVIEW, notOffered: [] });
    vi.mocked(copyApp).mockRejectedValue({ code: 'conflict', message: 'Taken meanwhile.', field: null });
    const { onCopied, target } = await renderDialog();

    await fireEvent.change(target, { target: { value: 'acme' } });
    await fireEvent.click(await screen.findByTestId('copy-submit'));
    expect((await screen.findByRole('alert')).textContent).toBe('Nothing was copied. Taken meanwhile.');
    expect(onCopied).not.toHaveBeenCalled();
  });
});
