import type { ConnectionView, Features } from '../ipc';

/** A server that can do everything Registrar offers, as every UiPath one can. */
export const ALL_FEATURES: Features = { register: null, deleteSecret: null, secretDetails: null };

/**
 * What the connection in use can do; everything while it is not known yet, since Rust refuses
 * whatever its server cannot do all the same.
 */
export function featuresOf(connection: ConnectionView | null): Features {
  return connection?.features ?? ALL_FEATURES;
}
