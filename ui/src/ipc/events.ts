import { listen } from '@tauri-apps/api/event';
import type { SecretCleared } from './bindings';

/** The event Rust sends when a sign-in starts, with the address the browser was asked to open. */
export const SIGN_IN_URL_EVENT = 'sign-in-url';

/** Calls `handler` with each sign-in address; resolves to the function that stops listening. */
export async function onSignInUrl(handler: (url: string) => void): Promise<() => void> {
  return listen<string>(SIGN_IN_URL_EVENT, (event) => handler(event.payload));
}

/** The event Rust sends when a copied secret's delay is over, saying what became of it. */
export const SECRET_CLEARED_EVENT = 'secret-cleared';

/** Calls `handler` each time a copied secret's delay is over; resolves to the function that stops listening. */
export async function onSecretCleared(handler: (cleared: SecretCleared) => void): Promise<() => void> {
  return listen<SecretCleared>(SECRET_CLEARED_EVENT, (event) => handler(event.payload));
}
