import { invoke } from '@tauri-apps/api/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppDraft, IpcError } from './bindings';
import { currentConnection, getCatalog, listApps, registerApp } from './commands';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));

const invokeMock = vi.mocked(invoke);

beforeEach(() => {
  invokeMock.mockReset();
});

describe('commands', () => {
  it('call the Rust commands by their names', async () => {
    invokeMock.mockResolvedValue('answer');

    await currentConnection();
    await listApps();
    await getCatalog();

    expect(invokeMock.mock.calls).toEqual([
      ['current_connection', undefined],
      ['list_apps', undefined],
      ['get_catalog', undefined],
    ]);
  });

  it('send the draft under the key "draft" and return the answer', async () => {
    const draft: AppDraft = {
      name: 'Billing sync',
      appType: 'confidential',
      redirectUris: [],
      scopes: [{ name: 'OR.Jobs.Read', type: 'application' }],
    };
    const answer = { app: { id: 'a1' }, secret: 's3cret' };
    invokeMock.mockResolvedValue(answer);

    await expect(registerApp(draft)).resolves.toBe(answer);
    expect(invokeMock).toHaveBeenCalledWith('register_app', { draft });
  });

  it('pass an IpcError from Rust through unchanged', async () => {
    const error: IpcError = { code: 'invalidInput', message: 'The name is empty.', field: 'name' };
    invokeMock.mockRejectedValue(error);

    await expect(listApps()).rejects.toEqual(error);
  });

  it('turn a plain rejection from Tauri into an internal IpcError', async () => {
    invokeMock.mockRejectedValue('command list_apps not found');

    await expect(listApps()).rejects.toEqual({
      code: 'internal',
      message: 'command list_apps not found',
      field: null,
    });
  });
});
