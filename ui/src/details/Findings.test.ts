import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { dismissFinding, lintApp, type AppFindings, type FindingView } from '../ipc';
import Findings from './Findings.svelte';

vi.mock('../ipc/commands');

const BROAD: FindingView = {
  code: 'broadAndNarrowScope',
  facts: { kind: 'broadAndNarrowScope', broad: 'OR.Jobs', narrower: ['OR.Jobs.Read'], scopeType: 'application' },
};
const ENDLESS: FindingView = {
  code: 'secretLivesTooLong',
  facts: { kind: 'secretLivesTooLong', secretId: 1, description: null, livesDays: null, maxDays: 730 },
};

describe('Findings', () => {
  it('says what, why and what to do, and dismisses one only with a reason', async () => {
    const found: AppFindings = { findings: [BROAD, ENDLESS], dismissed: [] };
    vi.mocked(lintApp).mockResolvedValue(found);
    vi.mocked(dismissFinding).mockResolvedValue({
      findings: [BROAD],
      dismissed: [{ finding: ENDLESS, reason: 'Rotated by the vault', at: '2026-12-04T10:00:00Z' }],
    });
    const onDismissed = vi.fn();
    render(Findings, { appId: 'app-1', version: 1, onDismissed });

    const items = await screen.findAllByTestId('finding');
    expect(items.map((item) => item.dataset.code)).toEqual(['broadAndNarrowScope', 'secretLivesTooLong']);
    expect(items[0].textContent).toContain('It holds OR.Jobs and OR.Jobs.Read as application scopes.');
    expect(items[0].textContent).toContain('What to do: Remove OR.Jobs');

    await fireEvent.click(items[1].querySelector('[data-testid=finding-dismiss]')!);
    await fireEvent.click(screen.getByTestId('finding-dismiss-confirm'));
    expect((await screen.findByRole('alert')).textContent).toContain('Say why it does not apply');
    expect(dismissFinding).not.toHaveBeenCalled();
    expect(onDismissed).not.toHaveBeenCalled();

    await fireEvent.input(screen.getByTestId('finding-reason'), { target: { value: 'Rotated by the vault' } });
    await fireEvent.click(screen.getByTestId('finding-dismiss-confirm'));

    expect(dismissFinding).toHaveBeenCalledWith('app-1', 'secretLivesTooLong', 'Rotated by the vault');
    expect((await screen.findAllByTestId('finding')).length).toBe(1);
    expect(screen.getByTestId('findings-dismissed').textContent).toContain('Secret 1 never expires.');
    expect(screen.getByTestId('findings-dismissed').textContent).toContain('Rotated by the vault');
    expect(onDismissed).toHaveBeenCalledOnce();
  });

  it('says so when there is nothing to look at', async () => {
    vi.mocked(lintApp).mockResolvedValue({ findings: [], dismissed: [] });
    render(Findings, { appId: 'app-1', version: 1 });
    expect((await screen.findByTestId('findings-none')).textContent).toContain('Nothing to look at');
  });
});
