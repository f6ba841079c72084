// The rules an app must meet, checked as the admin types, before anything is sent. The Rust side
// checks the same on submit and has the last word; these only make the problems visible sooner.
import { m } from '../i18n/index.svelte';
import type { AppType, ScopeChoice, ScopeType } from '../ipc';

export type Grant = 'clientCredentials' | 'authorizationCode' | 'authorizationCodePkce';

/** Each grant's name, in the window's language when called. */
export const GRANT_LABEL: Record<Grant, () => string> = {
  clientCredentials: m.editor_grant_client_credentials,
  authorizationCode: m.editor_grant_authorization_code,
  authorizationCodePkce: m.editor_grant_authorization_code_pkce,
};

/**
 * The grants the server allows an app, which follow from its type and its scope types.
 * A non-confidential app cannot hold application scopes, so they give it no grant.
 */
export function grantsFor(appType: AppType, scopes: readonly ScopeChoice[]): Grant[] {
  const user = scopes.some((s) => s.type === 'user');
  if (appType === 'nonConfidential') {
    return user ? ['authorizationCodePkce'] : [];
  }
  const grants: Grant[] = [];
  if (scopes.some((s) => s.type === 'application')) {
    grants.push('clientCredentials');
  }
  if (user) {
    grants.push('authorizationCode');
  }
  return grants;
}

/** `broad` (e.g. OR.Jobs) is chosen with its `.Read`/`.Write` variants `narrow`, all of `type`. */
export type Redundancy = { type: ScopeType; broad: string; narrow: string[] };

const VARIANT = /^(.+)\.(Read|Write)$/;

/**
 * Scopes `X.Read` and `X.Write` chosen beside `X` of the same type: `X` already grants read and
 * write. Not an error, since matching is exact and an app may ask for the variant by name.
 */
export function redundantPicks(scopes: readonly ScopeChoice[]): Redundancy[] {
  const chosen = new Set(scopes.map((s) => `${s.type} ${s.name}`));
  const found = new Map<string, Redundancy>();
  for (const scope of scopes) {
    const broad = VARIANT.exec(scope.name)?.[1];
    const key = `${scope.type} ${broad}`;
    if (broad === undefined || !chosen.has(key)) {
      continue;
    }
    const redundancy = found.get(key) ?? { type: scope.type, broad, narrow: [] };
    redundancy.narrow.push(scope.name);
    found.set(key, redundancy);
  }
  return [...found.values()];
}

/** A user scope signs a user in, which ends at a redirect URL. */
export function redirectRequired(scopes: readonly ScopeChoice[]): boolean {
  return scopes.some((s) => s.type === 'user');
}

/** A user scope is chosen and not one redirect URL is filled in. */
export function redirectMissing(scopes: readonly ScopeChoice[], uris: readonly string[]): boolean {
  return redirectRequired(scopes) && uris.every((uri) => uri.trim() === '');
}

/** Why a draft with a user scope and no redirect URL cannot be sent, in the window's language. */
export const REDIRECT_MISSING: () => string = m.editor_redirect_missing;

const IPV4_LOOPBACK = /^127\.\d+\.\d+\.\d+$/;

/** RFC 8252 §7.3: the loopback interface, by address or by the name localhost. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || IPV4_LOOPBACK.test(hostname);
}

/**
 * Why `raw` cannot be a redirect URL (in the window's language, so a `$derived` that calls this
 * follows a change of language), or null if it can. The server matches redirect URLs exactly
 * and keeps them comma-separated, so each must be one absolute URL with neither a fragment nor a
 * comma, on https, on http only for loopback (RFC 8252 §7.3), or on a private-use scheme in
 * reverse-domain form for native apps (RFC 8252 §7.1).
 */
export function redirectError(raw: string): string | null {
  const uri = raw.trim();
  if (uri === '') {
    return m.editor_redirect_empty();
  }
  if (uri.includes(',')) {
    return m.editor_redirect_comma();
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return m.editor_redirect_not_absolute();
  }
  // The URL parser drops an empty fragment ("…/cb#"), so look at the text.
  if (uri.includes('#')) {
    return m.editor_redirect_fragment();
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https' || scheme.includes('.')) {
    return null;
  }
  if (scheme === 'http') {
    return isLoopback(url.hostname)
      ? null
      : m.editor_redirect_http();
  }
  return m.editor_redirect_scheme({ scheme });
}

/** The same URL with the trailing slash added or taken away, for http(s) URLs with no query. */
export function trailingSlashTwin(raw: string): string | null {
  const uri = raw.trim();
  if (!/^https?:/i.test(uri) || uri.includes('?') || redirectError(uri) !== null) {
    return null;
  }
  return uri.endsWith('/') ? uri.slice(0, -1) : `${uri}/`;
}

export type RedirectCheck = {
  /** Why the URL cannot be registered as it is; it blocks submitting. */
  error: string | null;
  /** The trailing-slash twin of a good URL when it is not in the list too: worth a note. */
  missingTwin: string | null;
};

/**
 * Checks each redirect URL of a list, in order; a URL listed again is an error the second time.
 * A URL the app already `held` is kept as it is (it may have been registered elsewhere, under
 * other rules): only a repeat of it is an error.
 */
export function checkRedirects(uris: readonly string[], held: readonly string[] = []): RedirectCheck[] {
  const listed = new Set(uris.map((uri) => uri.trim()));
  const seen = new Set<string>();
  return uris.map((raw) => {
    const uri = raw.trim();
    const rule = held.includes(uri) ? null : redirectError(uri);
    const error = rule ?? (seen.has(uri) ? m.editor_redirect_twice() : null);
    seen.add(uri);
    const twin = error === null ? trailingSlashTwin(uri) : null;
    return { error, missingTwin: twin !== null && !listed.has(twin) ? twin : null };
  });
}
