import { m } from '../i18n/index.svelte';
import type { ErrorCode, IpcError } from './bindings';

/**
 * Every code Rust sends, with the kind of failure it is in the window's language: a record, so
 * that the compiler names one left out here.
 */
const ERROR_KINDS: Record<ErrorCode, () => string> = {
  invalidInput: m.ipc_kind_invalid_input,
  unauthorized: m.ipc_kind_unauthorized,
  forbidden: m.ipc_kind_forbidden,
  notFound: m.ipc_kind_not_found,
  conflict: m.ipc_kind_conflict,
  lockout: m.ipc_kind_lockout,
  rateLimited: m.ipc_kind_rate_limited,
  network: m.ipc_kind_network,
  server: m.ipc_kind_server,
  keychain: m.ipc_kind_keychain,
  storage: m.ipc_kind_storage,
  clipboard: m.ipc_kind_clipboard,
  internal: m.ipc_kind_internal,
};

/**
 * A message from Rust (written in English, as the command line writes it) as the window shows it:
 * in Japanese, after the kind of failure in Japanese.
 */
function shown(code: ErrorCode, message: string): string {
  return m.ipc_error_shown({ kind: ERROR_KINDS[code](), detail: message });
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_KINDS, value);
}

/**
 * Turns whatever a rejected IPC call produced into an IpcError.
 * The Rust side rejects with an IpcError object; Tauri itself rejects with a plain
 * string (e.g. an unknown command), and a JavaScript failure is an Error.
 */
export function toIpcError(error: unknown): IpcError {
  if (typeof error === 'object' && error !== null) {
    const { code, message, field } = error as Record<string, unknown>;
    if (isErrorCode(code) && typeof message === 'string') {
      return { code, message: shown(code, message), field: typeof field === 'string' ? field : null };
    }
  }
  if (typeof error === 'string' && error !== '') {
    return { code: 'internal', message: shown('internal', error), field: null };
  }
  if (error instanceof Error && error.message !== '') {
    return { code: 'internal', message: shown('internal', error.message), field: null };
  }
  return { code: 'internal', message: m.ipc_no_details(), field: null };
}
