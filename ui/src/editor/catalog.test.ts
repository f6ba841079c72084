import { describe, expect, it, vi } from 'vitest';
import { getCatalog, type CatalogResource } from '../ipc';
import { CATALOG } from '../testing/fixtures';
import { CatalogState, groupByResource } from './catalog.svelte';

vi.mock('../ipc/commands');

describe('CatalogState', () => {
  it('ignores a catalog that answers after a switch to another connection', async () => {
    let answer: (catalog: CatalogResource[]) => void = () => {};
    vi.mocked(getCatalog).mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    const state = new CatalogState();
    const old = state.load();

    state.reset();
    vi.mocked(getCatalog).mockResolvedValueOnce([]);
    state.ensure();
    answer(CATALOG);
    await old;

    await vi.waitFor(() => expect(state.loading).toBe(false));
    expect(state.resources).toEqual([]);
  });
});

describe('groupByResource', () => {
  it('groups by resource in catalog order, split by type, each in catalog order', () => {
    const groups = groupByResource(
      [
        { name: 'AI.Deployer', type: 'application' },
        { name: 'OR.Jobs.Read', type: 'user' },
        { name: 'OR.Jobs', type: 'user' },
        { name: 'OR.Jobs', type: 'application' },
      ],
      CATALOG,
    );

    expect(groups).toEqual([
      {
        displayName: 'Orchestrator API Access',
        user: [
          { name: 'OR.Jobs', displayName: 'Jobs' },
          { name: 'OR.Jobs.Read', displayName: 'Jobs (read)' },
        ],
        application: [{ name: 'OR.Jobs', displayName: 'Jobs' }],
      },
      { displayName: 'AI Center API Access', user: [], application: [{ name: 'AI.Deployer', displayName: 'Deployer' }] },
    ]);
  });

  it('puts scopes the catalog does not know last, in their own order', () => {
    const groups = groupByResource(
      [
        { name: 'X.Two', type: 'user' },
        { name: 'DataService.Data.Read', type: 'user' },
        { name: 'X.One', type: 'user' },
      ],
      CATALOG,
    );

    expect(groups.map((g) => [g.displayName, g.user.map((s) => s.name)])).toEqual([
      ['Data Service API Access', ['DataService.Data.Read']],
      [null, ['X.Two', 'X.One']],
    ]);
  });

  it('puts everything in the unknown group without a catalog', () => {
    expect(groupByResource([{ name: 'OR.Jobs', type: 'user' }], [])).toEqual([
      { displayName: null, user: [{ name: 'OR.Jobs', displayName: null }], application: [] },
    ]);
  });
});
