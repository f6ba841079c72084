import { Channel, invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type {
  AppChanges,
  AppDetails,
  AppDraft,
  AppEdit,
  AppFindings,
  AppSummary,
  AuditEntry,
  CatalogResource,
  ConnectionForm,
  ConnectionList,
  ConnectionTest,
  ConnectionView,
  Copied,
  CopiedApp,
  CopyPreview,
  ExpiringOverview,
  ExportedSheet,
  GeneratedSecret,
  HandoffFormat,
  ManifestComparison,
  NewSecret,
  RegisteredApp,
  SavedApp,
  Settings,
  Verification,
} from './bindings';
import { toIpcError } from './errors';

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toIpcError(error);
  }
}

export function listConnections(): Promise<ConnectionList> {
  return call('list_connections');
}

/** Works on another saved connection from now on. */
export function selectConnection(id: string): Promise<ConnectionView> {
  return call('select_connection', { id });
}

/**
 * Gives the sandbox's admin app a fresh secret (re-creating the app if it was deleted) and works on
 * the sandbox with it: the way back after its credentials were deleted.
 */
export function renewSandboxCredentials(): Promise<ConnectionView> {
  return call('renew_sandbox_credentials');
}

/**
 * Saves a new or edited connection once its credential works, and switches to it. With a sign-in it
 * resolves only after the admin has signed in in the browser (or `cancelSignIn`).
 */
export function saveConnection(form: ConnectionForm): Promise<ConnectionView> {
  return call('save_connection', { form });
}

export function cancelSignIn(): Promise<null> {
  return call('cancel_sign_in');
}

export function removeConnection(id: string): Promise<ConnectionList> {
  return call('remove_connection', { id });
}

/**
 * The apps; those the server lists without scopes and secrets come with what this session last read
 * of them, unless `fresh` (the admin's Refresh) asks for the server's state now.
 */
export function listApps(fresh = false): Promise<AppSummary[]> {
  return call('list_apps', { fresh });
}

/**
 * Reads the apps a list gave without their scopes and secrets (`listedOnly`), calling `onApp` with
 * each as it arrives (an app deleted meanwhile never comes); resolves once all have come.
 */
export async function readApps(appIds: string[], onApp: (app: AppSummary) => void): Promise<void> {
  const channel = new Channel<AppSummary>();
  let arrived = 0;
  let expected = Infinity;
  let allArrived = () => {};
  const all = new Promise<void>((resolve) => (allArrived = resolve));
  channel.onmessage = (app) => {
    onApp(app);
    arrived += 1;
    if (arrived >= expected) {
      allArrived();
    }
  };
  // The answer can overtake the channel's last messages: it says how many to wait for.
  const sent: Promise<number> = call('read_apps', { appIds, onApp: channel });
  expected = await sent;
  if (arrived < expected) {
    await all;
  }
}

/** The audit trail, newest first. */
export function auditTrail(): Promise<AuditEntry[]> {
  return call('audit_trail');
}

/** What expires across every saved connection, soonest first, and the connections not read. */
export function expiringSecrets(): Promise<ExpiringOverview> {
  return call('expiring_secrets');
}

/** The app's least-privilege findings, and those dismissed. */
export function lintApp(appId: string): Promise<AppFindings> {
  return call('lint_app', { appId });
}

/** Sets a finding aside for the app, saying why; answers the app's findings as they are now. */
export function dismissFinding(appId: string, code: string, reason: string): Promise<AppFindings> {
  return call('dismiss_finding', { appId, code, reason });
}

export function getApp(appId: string): Promise<AppDetails> {
  return call('get_app', { appId });
}

export function getCatalog(): Promise<CatalogResource[]> {
  return call('get_catalog');
}

/**
 * Registers the draft. `firstSecret`, for a confidential app on a server that takes an expiry: the
 * secret it starts with (null: the one the server makes, which never expires).
 */
export function registerApp(draft: AppDraft, firstSecret: NewSecret | null): Promise<RegisteredApp> {
  return call('register_app', { draft, firstSecret });
}

/** What `updateApp` would change; `base` is the app as it was when the edit began. */
export function planUpdate(appId: string, base: AppEdit, edit: AppEdit): Promise<AppChanges> {
  return call('plan_update', { appId, base, edit });
}

/**
 * Saves the edit: the app as read back, and the new secret when the server replaced the app's
 * secret with the update (the old one no longer works).
 */
export function updateApp(appId: string, base: AppEdit, edit: AppEdit, acceptLockout = false): Promise<SavedApp> {
  return call('update_app', { appId, base, edit, acceptLockout });
}

export function generateSecret(appId: string, request: NewSecret): Promise<GeneratedSecret> {
  return call('generate_secret', { appId, request });
}

/**
 * `acceptLockout`: the admin confirmed the warning of a `lockout` refusal (the app is the
 * connection's own, and the change would cut the connection off); for `updateApp` too.
 */
export function deleteSecret(appId: string, secretId: number, acceptLockout = false): Promise<AppDetails> {
  return call('delete_secret', { appId, secretId, acceptLockout });
}

/** Adds the new secret of a rotation beside the old ones, which keep working until it finishes. */
export function startRotation(appId: string, request: NewSecret): Promise<GeneratedSecret> {
  return call('start_rotation', { appId, request });
}

/** Deletes the secrets the app had before its rotation; `acceptLockout` as for `deleteSecret`. */
export function finishRotation(appId: string, acceptLockout = false): Promise<AppDetails> {
  return call('finish_rotation', { appId, acceptLockout });
}

/** Gives the rotation up; its new secret is deleted unless `keepNew`. */
export function cancelRotation(appId: string, keepNew: boolean): Promise<AppDetails> {
  return call('cancel_rotation', { appId, keepNew });
}

/** What copying the app to connection `targetId` would register there. */
export function planCopy(appId: string, targetId: string): Promise<CopyPreview> {
  return call('plan_copy', { appId, targetId });
}

/**
 * Registers the copy there; `leaveOutNotOffered` drops the scopes the target does not offer. Its
 * secret is held there, and sent to be shown once only if `reveal`.
 */
export function copyApp(
  appId: string,
  targetId: string,
  leaveOutNotOffered: boolean,
  reveal: boolean,
): Promise<CopiedApp> {
  return call('copy_app', { appId, targetId, leaveOutNotOffered, reveal });
}

/** Asks for a manifest file and compares it with the connection's apps; null when cancelled. */
export function compareManifest(): Promise<ManifestComparison | null> {
  return call('compare_manifest');
}

export function deleteApp(appId: string, confirmName: string, acceptLockout = false): Promise<null> {
  return call('delete_app', { appId, confirmName, acceptLockout });
}

/** Asks the token endpoint for a token with the secret this session holds for the app. */
export function verifyApp(appId: string, showToken: boolean): Promise<Verification> {
  return call('verify_app', { appId, showToken });
}

/** Copies the held secret in Rust; it is cleared from the clipboard after a while. */
export function copySecret(appId: string): Promise<Copied> {
  return call('copy_secret', { appId });
}

/** Copies the client-credentials curl request; it reads the secret from `$CLIENT_SECRET`. */
export function copyCurl(appId: string): Promise<void> {
  return call('copy_curl', { appId });
}

/**
 * Writes the app's handoff sheet where the admin chooses in the native save dialog; `null` when the
 * dialog was cancelled.
 */
export function exportHandoff(
  appId: string,
  format: HandoffFormat,
  includeSecret: boolean,
): Promise<ExportedSheet | null> {
  return call('export_handoff', { appId, format, includeSecret });
}

/** Tries discovery, the admin token and listing on the current connection. */
export function testConnection(): Promise<ConnectionTest> {
  return call('test_connection');
}

export function getSettings(): Promise<Settings> {
  return call('get_settings');
}

export function saveSettings(settings: Settings): Promise<Settings> {
  return call('save_settings', { settings });
}

/** The languages the system prefers, the first the most, as BCP 47 tags (`ja-JP`). */
export function systemLanguages(): Promise<string[]> {
  return call('system_languages');
}

/** Says that the window is of use (its first apps list is painted), for the log's start-up time. */
export function reportStartup(): Promise<null> {
  return call('report_startup');
}
