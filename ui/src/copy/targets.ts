import { m } from '../i18n/index.svelte';
import { listConnections, toIpcError, type ConnectionView } from '../ipc';

/**
 * The saved connections an app of the current one can be copied to (all the others), or why
 * they could not be read.
 */
export async function copyTargets(): Promise<ConnectionView[] | string> {
  try {
    const list = await listConnections();
    return list.connections.filter((c) => c.id !== list.currentId);
  } catch (failure) {
    return m.copy_connections_failed({ detail: toIpcError(failure).message });
  }
}
