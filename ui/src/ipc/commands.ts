import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { AppDraft, AppSummary, CatalogResource, ConnectionView, RegisteredApp } from './bindings';
import { toIpcError } from './errors';

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toIpcError(error);
  }
}

export function currentConnection(): Promise<ConnectionView> {
  return call('current_connection');
}

export function listApps(): Promise<AppSummary[]> {
  return call('list_apps');
}

export function getCatalog(): Promise<CatalogResource[]> {
  return call('get_catalog');
}

export function registerApp(draft: AppDraft): Promise<RegisteredApp> {
  return call('register_app', { draft });
}
