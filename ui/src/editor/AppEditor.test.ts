import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { getCatalog, type ScopeType } from '../ipc';
import { CATALOG } from '../testing/fixtures';
import AppEditor from './AppEditor.svelte';
import { CatalogState } from './catalog.svelte';
import { AppDraftState } from './draft.svelte';

vi.mock('../ipc/commands');

const ORCHESTRATOR = 'OrchestratorApiUserAccess';

async function renderEditor(draft = new AppDraftState(), props: { typeFixed?: boolean } = {}) {
  render(AppEditor, { draft, catalog: new CatalogState(), error: null, ...props });
  await screen.findAllByRole('checkbox');
  return draft;
}

function scopeBox(name: string, type: ScopeType): HTMLInputElement | null {
  return document.querySelector(`input[data-scope="${name}"][data-scope-type="${type}"]`);
}

async function tickScope(name: string, type: ScopeType) {
  await fireEvent.click(scopeBox(name, type)!);
}

function typeRadio(value: string): HTMLInputElement {
  return document.querySelector(`input[name="app-type"][value="${value}"]`) as HTMLInputElement;
}

function selectButton(testid: 'select-all' | 'select-none', resource: string, type: ScopeType): HTMLButtonElement {
  return document.querySelector(
    `[data-testid="${testid}"][data-resource="${resource}"][data-scope-type="${type}"]`,
  ) as HTMLButtonElement;
}

async function filter(text: string) {
  await fireEvent.input(screen.getByTestId('scope-filter'), { target: { value: text } });
}

function redirectInputs(): HTMLInputElement[] {
  return screen.queryAllByTestId('redirect-input') as HTMLInputElement[];
}

async function addRedirect(value: string) {
  await fireEvent.click(screen.getByTestId('redirect-add'));
  const inputs = redirectInputs();
  await fireEvent.input(inputs[inputs.length - 1], { target: { value } });
}

function texts(testid: string): string[] {
  return screen.queryAllByTestId(testid).map((element) => element.textContent!.replace(/\s+/g, ' ').trim());
}

beforeEach(() => {
  vi.mocked(getCatalog).mockReset().mockResolvedValue(CATALOG);
});

describe('the scope editor', () => {
  it('offers user and application scopes per resource, as the catalog allows, with descriptions', async () => {
    await renderEditor();

    const orchestrator = screen.getByText('Orchestrator API Access').closest('details')!;
    expect(within(orchestrator).getByRole('columnheader', { name: /^User scope/ })).toBeTruthy();
    expect(within(orchestrator).getByRole('columnheader', { name: /^Application scope/ })).toBeTruthy();
    expect(scopeBox('DataService.Data.Read', 'application')).toBeNull();
    expect(scopeBox('AI.Deployer', 'user')).toBeNull();
    const box = scopeBox('OR.Jobs', 'user')!;
    expect(box.getAttribute('aria-label')).toBe('OR.Jobs (user)');
    expect(document.getElementById(box.getAttribute('aria-describedby')!)?.textContent).toBe(
      'Start, stop and watch jobs.',
    );
  });

  it('lists each scope once, its user and application boxes side by side, so Tab goes row by row', async () => {
    await renderEditor();

    const orchestrator = screen.getByText('Orchestrator API Access').closest('details')!;
    const boxes = [...orchestrator.querySelectorAll('input[type=checkbox]')].map(
      (box) => box.getAttribute('aria-label'),
    );
    const jobs = boxes.indexOf('OR.Jobs (user)');
    expect(boxes[jobs + 1]).toBe('OR.Jobs (application)');
    const row = scopeBox('OR.Jobs', 'user')!.closest('tr')!;
    expect(within(row).getByRole('rowheader').textContent).toContain('OR.Jobs');
    expect(row.querySelectorAll('input[type=checkbox]')).toHaveLength(2);
  });

  it('has no application scopes at all for a non-confidential app', async () => {
    const draft = new AppDraftState();
    draft.appType = 'nonConfidential';
    await renderEditor(draft);

    expect(document.querySelectorAll('[data-scope-type="application"]')).toHaveLength(0);
    expect(screen.queryByRole('columnheader', { name: /^Application scope/ })).toBeNull();
    const ai = screen.getByText('AI Center API Access').closest('details')!;
    expect(ai.textContent).toContain('It offers only application scopes, which a non-confidential app cannot hold.');
  });

  it('asks before switching to non-confidential drops application scopes; Cancel keeps everything', async () => {
    const draft = await renderEditor();
    await tickScope('OR.Jobs', 'application');
    await tickScope('AI.Deployer', 'application');
    await tickScope('OR.Jobs.Read', 'user');

    await fireEvent.click(typeRadio('nonConfidential'));

    const dialog = screen.getByRole('dialog', { name: 'Drop 2 application scopes?' });
    expect(dialog.textContent).toContain('OR.Jobs and AI.Deployer');
    expect(typeRadio('confidential').checked).toBe(true);
    expect(typeRadio('nonConfidential').checked).toBe(false);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(draft.appType).toBe('confidential');
    expect(typeRadio('confidential').checked).toBe(true);
    expect(scopeBox('OR.Jobs', 'application')?.checked).toBe(true);
    expect(draft.scopes).toHaveLength(3);
  });

  it('drops the application scopes once the switch is confirmed', async () => {
    const draft = await renderEditor();
    await tickScope('OR.Jobs', 'application');
    await tickScope('OR.Jobs.Read', 'user');

    await fireEvent.click(typeRadio('nonConfidential'));
    const dialog = screen.getByRole('dialog', { name: 'Drop 1 application scope?' });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Drop them' }));

    expect(draft.appType).toBe('nonConfidential');
    expect(typeRadio('nonConfidential').checked).toBe(true);
    expect(draft.scopes).toEqual([{ name: 'OR.Jobs.Read', type: 'user' }]);
    expect(document.querySelectorAll('[data-scope-type="application"]')).toHaveLength(0);
  });

  it('switches without asking when there is no application scope to drop', async () => {
    const draft = await renderEditor();
    await tickScope('OR.Jobs', 'user');

    await fireEvent.click(typeRadio('nonConfidential'));

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(draft.appType).toBe('nonConfidential');
  });

  it('the dialog closes on Escape without closing anything around it', async () => {
    const draft = await renderEditor();
    await tickScope('OR.Jobs', 'application');
    const outer = vi.fn();
    document.addEventListener('keydown', outer);

    await fireEvent.click(typeRadio('nonConfidential'));
    await fireEvent.keyDown(document.activeElement!, { key: 'Escape' });

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(draft.appType).toBe('confidential');
    expect(outer).not.toHaveBeenCalled();
    document.removeEventListener('keydown', outer);
  });

  it('filters across all resources by name, display name and description, and opens what matches', async () => {
    await renderEditor();
    const sections = () => [...document.querySelectorAll('details')];

    await filter('QUEUE ITEMS');
    expect(sections()).toHaveLength(1);
    expect(sections()[0].open).toBe(true);
    expect([...sections()[0].querySelectorAll('input')].map((i) => i.dataset.scope)).toEqual([
      'OR.Queues.Read',
      'OR.Queues.Read',
    ]);

    await filter('deployer');
    expect(sections().map((s) => s.querySelector('summary')!.textContent!.trim())).toEqual(['AI Center API Access']);

    await filter('read data');
    expect(scopeBox('DataService.Data.Read', 'user')).not.toBeNull();
    expect(scopeBox('OR.Jobs', 'user')).toBeNull();

    await filter('nothing like this');
    expect(sections()).toHaveLength(0);
    expect(screen.getByText('No scope matches “nothing like this”.')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Clear filter' }));
    expect(sections()).toHaveLength(3);
  });

  it('selects all and none of a resource and type, only among the scopes the filter shows', async () => {
    const draft = await renderEditor();
    await tickScope('OR.Queues.Read', 'application');

    await filter('jobs');
    await fireEvent.click(selectButton('select-all', ORCHESTRATOR, 'user'));

    expect(draft.scopes).toEqual([
      { name: 'OR.Queues.Read', type: 'application' },
      { name: 'OR.Jobs', type: 'user' },
      { name: 'OR.Jobs.Read', type: 'user' },
      { name: 'OR.Jobs.Write', type: 'user' },
    ]);
    expect(scopeBox('OR.Jobs.Write', 'user')?.checked).toBe(true);

    await filter('');
    await fireEvent.click(selectButton('select-none', ORCHESTRATOR, 'user'));
    expect(draft.scopes).toEqual([{ name: 'OR.Queues.Read', type: 'application' }]);

    await filter('write');
    await fireEvent.click(selectButton('select-all', ORCHESTRATOR, 'application'));
    await filter('queues');
    await fireEvent.click(selectButton('select-none', ORCHESTRATOR, 'application'));
    expect(draft.scopes).toEqual([{ name: 'OR.Jobs.Write', type: 'application' }]);
  });

  it('names a scope chosen beside its read or write variant of the same type, as a note', async () => {
    await renderEditor();

    await tickScope('OR.Jobs', 'user');
    await tickScope('OR.Jobs.Read', 'application');
    expect(texts('scope-note')).toEqual([]);

    await tickScope('OR.Jobs.Read', 'user');
    expect(texts('scope-note')).toEqual([
      'OR.Jobs.Read is redundant beside OR.Jobs (user scopes): OR.Jobs already grants read and write. Keep it only if the app asks for it by name.',
    ]);
    await tickScope('OR.Jobs.Write', 'user');
    expect(texts('scope-note')[0]).toMatch(/^OR.Jobs.Read and OR.Jobs.Write are redundant beside OR.Jobs \(user scopes\)/);
  });

  it('shows the grants that follow from the type and the scopes', async () => {
    const draft = await renderEditor();
    const grants = () => screen.queryAllByTestId('grants').flatMap((list) => [...list.querySelectorAll('strong')].map((s) => s.textContent));

    expect(grants()).toEqual([]);
    await tickScope('OR.Jobs', 'application');
    expect(grants()).toEqual(['Client credentials']);
    await tickScope('OR.Jobs', 'user');
    expect(grants()).toEqual(['Client credentials', 'Authorization code (with secret)']);
    await tickScope('OR.Jobs', 'application');
    expect(grants()).toEqual(['Authorization code (with secret)']);

    draft.setType('nonConfidential');
    await waitFor(() => expect(grants()).toEqual(['Authorization code + PKCE (S256)']));
  });
});

describe('the redirect URLs', () => {
  it('become required with a user scope: an error until one is added', async () => {
    const draft = await renderEditor();
    const legend = () => screen.getByRole('group', { name: /^Redirect URLs/ });

    await tickScope('OR.Jobs', 'application');
    expect(texts('redirect-error')).toEqual([]);
    expect(draft.blocked).toBe(false);

    await tickScope('OR.Jobs.Read', 'user');
    expect(legend().querySelector('legend')!.textContent).toBe('Redirect URLs (required)');
    expect(texts('redirect-error')).toEqual([
      'User scopes need a redirect URL: add the address the identity server sends the user back to after signing in.',
    ]);
    expect(draft.blocked).toBe(true);

    await addRedirect('https://app.example.com/cb');
    expect(texts('redirect-error')).toEqual([]);
    expect(draft.blocked).toBe(false);
  });

  it('are checked as they are typed, and an error blocks the draft', async () => {
    const draft = await renderEditor();

    await addRedirect('http://app.example.com/cb');
    expect(texts('redirect-error')).toEqual(['http is allowed only on loopback (127.0.0.1, [::1] or localhost): use https.']);
    expect(redirectInputs()[0].getAttribute('aria-invalid')).toBe('true');
    expect(draft.blocked).toBe(true);

    await fireEvent.input(redirectInputs()[0], { target: { value: 'com.example.app:/cb' } });
    expect(texts('redirect-error')).toEqual([]);
    expect(redirectInputs()[0].getAttribute('aria-invalid')).toBe('false');
    await addRedirect('com.example.app:/cb');
    expect(texts('redirect-error')).toEqual(['It is listed twice.']);
  });

  it('flag an empty field only once focus has left it', async () => {
    await renderEditor();

    await fireEvent.click(screen.getByTestId('redirect-add'));
    expect(document.activeElement).toBe(redirectInputs()[0]);
    expect(texts('redirect-error')).toEqual([]);
    await fireEvent.blur(redirectInputs()[0]);

    expect(texts('redirect-error')).toEqual(['Fill it in or remove it.']);
  });

  it('note a missing trailing-slash twin, which Add it adds right after, without blocking', async () => {
    const draft = await renderEditor();
    await addRedirect('https://a.example.com/cb');
    await addRedirect('http://127.0.0.1:8400/');

    expect(texts('redirect-note')).toEqual([
      'The match is exact, so the address with the final slash is another one. Register it too: https://a.example.com/cb/ Add it',
      'The match is exact, so the address without the final slash is another one. Register it too: http://127.0.0.1:8400 Add it',
    ]);
    expect(draft.blocked).toBe(false);

    await fireEvent.click(screen.getByRole('button', { name: 'Add https://a.example.com/cb/' }));

    expect(redirectInputs().map((input) => input.value)).toEqual([
      'https://a.example.com/cb',
      'https://a.example.com/cb/',
      'http://127.0.0.1:8400/',
    ]);
    expect(document.activeElement).toBe(redirectInputs()[1]);
    expect(texts('redirect-note')).toHaveLength(1);
  });
});

describe('a fixed type', () => {
  it('shows the type as text with no way to change it', async () => {
    const draft = new AppDraftState();
    draft.appType = 'nonConfidential';
    await renderEditor(draft, { typeFixed: true });

    expect(document.querySelectorAll('input[name="app-type"]')).toHaveLength(0);
    expect(screen.getByText('(set at registration; it cannot be changed)').parentElement!.textContent).toBe(
      'Non-confidential (set at registration; it cannot be changed)',
    );
  });
});
