import { m } from '../i18n/index.svelte';
import type { ConnectionView, Features, Unavailable } from '../ipc';

/** A server that can do everything Registrar offers, as every UiPath one can. */
export const ALL_FEATURES: Features = { register: null, deleteSecret: null, secretDetails: null };

/**
 * What the connection in use can do; everything while it is not known yet, since Rust refuses
 * whatever its server cannot do all the same.
 */
export function featuresOf(connection: ConnectionView | null): Features {
  return connection?.features ?? ALL_FEATURES;
}

/** Why the server cannot do something, in the window's language. */
export function unavailableText(why: Unavailable): string {
  switch (why.kind) {
    case 'noRegistrationEndpoint':
      return m.connections_unavailable_no_registration(why);
    case 'noScopesListed':
      return m.connections_unavailable_no_scopes(why);
    case 'noUsableGrant':
      return m.connections_unavailable_no_grant(why);
    case 'oneSecretPerApp':
      return m.connections_unavailable_one_secret();
    case 'serverSetsSecret':
      return m.connections_unavailable_server_sets_secret();
  }
}
