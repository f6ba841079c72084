import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { dismissFinding, lintApp, type AppFindings } from '../ipc';
import Findings from './Findings.svelte';

vi.mock('../ipc/commands');

const BROAD = {
  code: 'broadAndNarrowScope',
  what: 'It holds OR.Jobs and OR.Jobs.Read as application scopes.',
  why: 'OR.Jobs already covers OR.Jobs.Read.',
  fix: 'Remove OR.Jobs and keep only the narrower scopes it needs.',
};
const ENDLESS = {
  code: 'secretLivesTooLong',
  what: 'Secret 1 never expires.',
  why: 'A leaked copy keeps working.',
  fix: 'Rotate it.',
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
    expect(screen.getByTestId('findings-dismissed').textContent).toContain('Rotated by the vault');
    expect(onDismissed).toHaveBeenCalledOnce();
  });

  it('says so when there is nothing to look at', async () => {
    vi.mocked(lintApp).mockResolvedValue({ findings: [], dismissed: [] });
    render(Findings, { appId: 'app-1', version: 1 });
    expect((await screen.findByTestId('findings-none')).textContent).toContain('Nothing to look at');
  });
});
