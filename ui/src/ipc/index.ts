export type * from './bindings';
export { toIpcError } from './errors';
export { currentConnection, listApps, getCatalog, registerApp } from './commands';
export { copyText } from './clipboard';
