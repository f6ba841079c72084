import { invoke } from '@tauri-apps/api/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppDraft, AppEdit, AppSummary, IpcError } from './bindings';
import {
  copyCurl,
  copySecret,
  listConnections,
  deleteApp,
  deleteSecret,
  exportHandoff,
  generateSecret,
  getApp,
  getCatalog,
  getSettings,
  systemLanguages,
  listApps,
  planUpdate,
  readApps,
  registerApp,
  reportStartup,
  saveSettings,
  testConnection,
  updateApp,
  verifyApp,
} from './commands';

vi.mock('@tauri-apps/api/core', () => ({
  invoke: vi.fn(),
  Channel: class {
    onmessage: (message: unknown) => void = () => {};
  },
}));

const invokeMock = vi.mocked(invoke);

beforeEach(() => {
  invokeMock.mockReset();
});

describe('commands', () => {
  it('readApps resolves once every app the answer counts has come, even after the answer', async () => {
    let channel: { onmessage: (app: AppSummary) => void } | undefined;
    let answer: (sent: number) => void = () => {};
    invokeMock.mockImplementation((_command, args) => {
      channel = (args as { onApp: typeof channel }).onApp;
      return new Promise((resolve) => (answer = resolve));
    });
    const arrived: string[] = [];
    let done = false;
    const reading = readApps(['a', 'b'], (app) => arrived.push(app.id)).then(() => (done = true));

    expect(invokeMock).toHaveBeenCalledWith('read_apps', { appIds: ['a', 'b'], onApp: channel });
    channel?.onmessage({ id: 'a' } as AppSummary);
    answer(2);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(done).toBe(false);

    channel?.onmessage({ id: 'b' } as AppSummary);
    await reading;
    expect(arrived).toEqual(['a', 'b']);
  });

  it('call the Rust commands by their names', async () => {
    invokeMock.mockResolvedValue('answer');

    await listConnections();
    await listApps();
    await getCatalog();
    await getSettings();
    await systemLanguages();
    await testConnection();
    await reportStartup();

    expect(invokeMock.mock.calls).toEqual([
      ['list_connections', undefined],
      ['list_apps', { fresh: false }],
      ['get_catalog', undefined],
      ['get_settings', undefined],
      ['system_languages', undefined],
      ['test_connection', undefined],
      ['report_startup', undefined],
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

    const firstSecret = { description: 'Created with the app', expiresOn: '2027-03-04' };
    await expect(registerApp(draft, firstSecret)).resolves.toBe(answer);
    expect(invokeMock).toHaveBeenCalledWith('register_app', { draft, firstSecret });
  });

  it('send the arguments of the app commands under their camelCase names', async () => {
    const base: AppEdit = { name: 'Billing', redirectUris: [], scopes: [{ name: 'OR.Jobs', type: 'application' }] };
    const edit: AppEdit = { ...base, name: 'Billing sync' };
    const request = { description: 'CI', expiresOn: '2027-01-31' };
    invokeMock.mockResolvedValue(null);

    await getApp('a1');
    await planUpdate('a1', base, edit);
    await updateApp('a1', base, edit);
    await generateSecret('a1', request);
    await deleteSecret('a1', 7);
    await deleteApp('a1', 'Billing');

    expect(invokeMock.mock.calls).toEqual([
      ['get_app', { appId: 'a1' }],
      ['plan_update', { appId: 'a1', base, edit }],
      ['update_app', { appId: 'a1', base, edit, acceptLockout: false }],
      ['generate_secret', { appId: 'a1', request }],
      ['delete_secret', { appId: 'a1', secretId: 7, acceptLockout: false }],
      ['delete_app', { appId: 'a1', confirmName: 'Billing', acceptLockout: false }],
    ]);
  });

  it('send the arguments of verify, copy and export under their camelCase names', async () => {
    invokeMock.mockResolvedValue(null);

    await verifyApp('a1', true);
    await copySecret('a1');
    await copyCurl('a1');
    await exportHandoff('a1', 'markdown', true);

    expect(invokeMock.mock.calls).toEqual([
      ['verify_app', { appId: 'a1', showToken: true }],
      ['copy_secret', { appId: 'a1' }],
      ['copy_curl', { appId: 'a1' }],
      ['export_handoff', { appId: 'a1', format: 'markdown', includeSecret: true }],
    ]);
  });

  it('send the settings under the key "settings" and return what Rust saved', async () => {
    const saved = { clipboardClearSeconds: 45, maxSecretAgeDays: 730, expiryAlerts: true, alertDays: [30, 7, 1], theme: 'system', language: 'system' };
    invokeMock.mockResolvedValue(saved);

    await expect(saveSettings({ clipboardClearSeconds: 45, maxSecretAgeDays: 730, expiryAlerts: true, alertDays: [30, 7, 1], theme: 'system', language: 'system' })).resolves.toBe(saved);
    expect(invokeMock).toHaveBeenCalledWith('save_settings', { settings: { clipboardClearSeconds: 45, maxSecretAgeDays: 730, expiryAlerts: true, alertDays: [30, 7, 1], theme: 'system', language: 'system' } });
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
