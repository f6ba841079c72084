export type * from './bindings';
export { toIpcError } from './errors';
export {
  listConnections,
  selectConnection,
  saveConnection,
  cancelSignIn,
  removeConnection,
  testConnection,
  listApps,
  expiringSecrets,
  auditTrail,
  readApps,
  getApp,
  lintApp,
  dismissFinding,
  getCatalog,
  registerApp,
  planUpdate,
  updateApp,
  generateSecret,
  deleteSecret,
  deleteApp,
  verifyApp,
  copySecret,
  copyCurl,
  exportHandoff,
  getSettings,
  saveSettings,
  reportStartup,
} from './commands';
export { copyText } from './clipboard';
export { onSignInUrl } from './events';
