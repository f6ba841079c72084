import { m } from '../i18n/index.svelte';
import type { ErrorCode, IpcError } from './bindings';

/** Every code Rust sends: a record, so that the compiler names one left out here. */
const ERROR_CODES: Record<ErrorCode, true> = {
  invalidInput: true,
  unauthorized: true,
  forbidden: true,
  notFound: true,
  conflict: true,
  lockout: true,
  rateLimited: true,
  network: true,
  server: true,
  keychain: true,
  storage: true,
  clipboard: true,
  internal: true,
};

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
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
      return { code, message, field: typeof field === 'string' ? field : null };
    }
  }
  if (typeof error === 'string' && error !== '') {
    return { code: 'internal', message: error, field: null };
  }
  if (error instanceof Error && error.message !== '') {
    return { code: 'internal', message: error.message, field: null };
  }
  return { code: 'internal', message: m.ipc_no_details(), field: null };
}
