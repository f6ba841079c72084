import type { ErrorCode, IpcError } from './bindings';

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'invalidInput',
  'unauthorized',
  'forbidden',
  'notFound',
  'conflict',
  'rateLimited',
  'network',
  'server',
  'keychain',
  'storage',
  'clipboard',
  'internal',
]);

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && ERROR_CODES.has(value);
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
  return { code: 'internal', message: 'Something went wrong, with no details given.', field: null };
}
