import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { testConnection, type ConnectionTest } from '../ipc';
import ConnectionTestDialog from './ConnectionTestDialog.svelte';

vi.mock('../ipc/commands');

const testMock = vi.mocked(testConnection);

const WORKS: ConnectionTest = {
  steps: [
    { name: 'discovery', outcome: 'passed', said: { kind: 'discovery', issuer: 'https://x/identity_', tokenEndpoint: 'https://x/identity_/connect/token', differsFrom: null } },
    { name: 'token', outcome: 'passed', said: { kind: 'adminTokenIssued', scopes: ['PM.OAuthApp'] } },
    { name: 'listing', outcome: 'passed', said: { kind: 'appsListed', count: 3 } },
  ],
  adminScopes: ['PM.OAuthApp'],
  organizationId: '0f8fad5b-d9cb-469f-a165-70867728950e',
};

beforeEach(() => {
  testMock.mockReset();
});

function steps(): [string | undefined, string | undefined, string | null][] {
  return screen
    .getAllByTestId('connection-step')
    .map((li) => [li.dataset.step, li.dataset.outcome, li.textContent]);
}

describe('ConnectionTestDialog', () => {
  it('shows each step, the token scopes and the organization', async () => {
    testMock.mockResolvedValue(WORKS);
    render(ConnectionTestDialog, { onClose: vi.fn() });

    await screen.findAllByTestId('connection-step');
    expect(steps().map(([step, outcome]) => [step, outcome])).toEqual([
      ['discovery', 'passed'],
      ['token', 'passed'],
      ['listing', 'passed'],
    ]);
    expect(steps()[0][2]).toContain('Discovery document');
    expect(screen.getByTestId('connection-scopes').textContent).toContain(
      'The admin token carries: PM.OAuthApp. The token names the organization 0f8fad5b-d9cb-469f-a165-70867728950e.',
    );
  });

  it('says which step fails and why, and tests again on request', async () => {
    testMock.mockResolvedValueOnce({
      steps: [
        WORKS.steps[0],
        { name: 'token', outcome: 'failed', said: { kind: 'error', message: 'The connection\'s admin credentials were refused.' } },
        { name: 'listing', outcome: 'skipped', said: { kind: 'needsAdminToken' } },
      ],
      adminScopes: [],
      organizationId: null,
    });
    testMock.mockResolvedValueOnce(WORKS);
    render(ConnectionTestDialog, { onClose: vi.fn() });

    await screen.findAllByTestId('connection-step');
    expect(steps()[1][2]).toContain('Fails');
    expect(steps()[1][2]).toContain('admin credentials were refused');
    expect(steps()[2][2]).toContain('Not tried');
    expect(screen.getByTestId('connection-scopes').textContent).toContain('No admin token');

    await fireEvent.click(screen.getByText('Test again'));
    await screen.findByText('Listed 3 external applications.');
    expect(testMock).toHaveBeenCalledTimes(2);
  });

  it('shows a token step that could not be checked as neither working nor failing, and says why no scopes show', async () => {
    testMock.mockResolvedValue({
      steps: [
        WORKS.steps[0],
        { name: 'token', outcome: 'unchecked', said: { kind: 'initialAccessTokenKept' } },
        { name: 'listing', outcome: 'passed', said: { kind: 'clientsRead', count: 2 } },
      ],
      adminScopes: [],
      organizationId: null,
    });
    render(ConnectionTestDialog, { onClose: vi.fn() });

    await screen.findAllByTestId('connection-step');
    const [, token] = steps();
    expect(token[1]).toBe('unchecked');
    expect(token[2]).toContain('Not checked');
    expect(token[2]).toContain('RFC 7591 has no way to check it short of registering a client');
    const outcome = screen.getAllByTestId('connection-step')[1].querySelector('.outcome')!;
    expect(outcome.textContent).toBe('Not checked');
    expect(outcome.classList.contains('unchecked')).toBe(true);
    const scopes = screen.getByTestId('connection-scopes').textContent;
    expect(scopes).toContain("This server's registrations carry no admin scopes to show.");
    expect(scopes).not.toContain('carries no scopes');
    expect(scopes).not.toContain('No admin token');
  });

  it('says when the test could not run at all', async () => {
    testMock.mockRejectedValue({ code: 'network', message: 'The sandbox is not running.', field: null });
    render(ConnectionTestDialog, { onClose: vi.fn() });

    expect((await screen.findByRole('alert')).textContent).toBe('The test could not run. The sandbox is not running.');
  });
});
