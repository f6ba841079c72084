import { listen } from '@tauri-apps/api/event';

/** The event Rust sends when a sign-in starts, with the address the browser was asked to open. */
export const SIGN_IN_URL_EVENT = 'sign-in-url';

/** Calls `handler` with each sign-in address; resolves to the function that stops listening. */
export async function onSignInUrl(handler: (url: string) => void): Promise<() => void> {
  return listen<string>(SIGN_IN_URL_EVENT, (event) => handler(event.payload));
}
