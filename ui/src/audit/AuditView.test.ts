import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { auditTrail, type AuditEntry } from '../ipc';
import AuditView from './AuditView.svelte';

vi.mock('../ipc/commands');

function entry(seq: number, action: string, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    seq,
    at: `2026-12-0${seq}T10:00:00Z`,
    user: 'ops',
    connectionName: 'Production',
    admin: 'admin app 1234',
    appId: `app-${seq}`,
    appName: `App ${seq}`,
    action,
    before: null,
    after: '{\n  "name": "App"\n}',
    ...extra,
  };
}

describe('AuditView', () => {
  it('lists the entries newest first and filters them by app, connection and action', async () => {
    vi.mocked(auditTrail).mockResolvedValue([
      entry(3, 'secretGenerated'),
      entry(2, 'appCreated', { connectionName: 'Staging', appId: 'billing', appName: 'Billing sync' }),
      entry(1, 'connectionAdded', { appId: null, appName: null, after: null }),
    ]);
    render(AuditView, { onBack: vi.fn() });

    const shown = async () => (await screen.findAllByTestId('audit-entry')).map((li) => li.dataset.action);
    expect(await shown()).toEqual(['secretGenerated', 'appCreated', 'connectionAdded']);
    expect(screen.getAllByTestId('audit-entry')[0].textContent).toContain('Secret generated');

    await fireEvent.input(screen.getByTestId('audit-app'), { target: { value: 'BILLING' } });
    expect(await shown()).toEqual(['appCreated']);
    await fireEvent.input(screen.getByTestId('audit-app'), { target: { value: '' } });

    await fireEvent.change(screen.getByTestId('audit-connection'), { target: { value: 'Production' } });
    expect(await shown()).toEqual(['secretGenerated', 'connectionAdded']);
    await fireEvent.change(screen.getByTestId('audit-action'), { target: { value: 'connectionAdded' } });
    expect(await shown()).toEqual(['connectionAdded']);
  });
});
