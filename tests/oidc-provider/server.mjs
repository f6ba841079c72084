// A small, real OpenID provider for the integration tests, built on oidc-provider 9.13.3.
//
//   OIDC_INITIAL_ACCESS_TOKEN=secret OIDC_PORT=0 node server.mjs
//
// It listens on 127.0.0.1 over plain http (loopback only, no TLS) and prints exactly one line to
// stdout once it is ready: "listening http://127.0.0.1:<port>". That URL is the issuer.
// Everything else (oidc-provider's notices and warnings) goes to stderr. State lives in memory
// and is gone when the process stops. See README.md for what clients send and get back.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

// oidc-provider prints its notices with console.info, which writes to stdout; send them to
// stderr so that stdout carries only the "listening" line the tests wait for.
console.info = (...args) => console.error(...args);

const initialAccessToken = process.env.OIDC_INITIAL_ACCESS_TOKEN;
if (!initialAccessToken) {
  console.error('OIDC_INITIAL_ACCESS_TOKEN is not set: give the initial access token that '
    + 'registrations must carry, e.g. OIDC_INITIAL_ACCESS_TOKEN=some-value node server.mjs');
  process.exit(2);
}

// OIDC_ROTATION=off leaves the rotation policy out: rotate_client_secret is then ignored, as a
// server that does not rotate secrets on request ignores metadata it does not know.
const rotation = process.env.OIDC_ROTATION !== 'off';

const port = Number(process.env.OIDC_PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`OIDC_PORT must be a port number (0 for any free port), not "${process.env.OIDC_PORT}"`);
  process.exit(2);
}

// Secrets handed to clients, at registration and when a rotation is asked for.
const newSecret = async () => randomBytes(32).toString('base64url');

// Policies run, in order, on every registration made with our initial access token, and again
// on every update (PUT) made with the registration access token that registration handed out.
// They get the metadata about to be validated and may change it or throw.
//
// A PUT whose body carries "rotate_client_secret": true gets a fresh client_secret; the old
// one stops working at once. The flag itself is never stored.
async function rotateSecretOnRequest(ctx, properties) {
  const flag = properties.rotate_client_secret;
  delete properties.rotate_client_secret;
  if (flag === undefined || flag === false) return;
  if (flag !== true) {
    throw new errors.InvalidClientMetadata('rotate_client_secret must be a boolean');
  }
  if (ctx.oidc.route !== 'client_update') return; // a new registration gets a new secret anyway
  if (!properties.client_secret) {
    throw new errors.InvalidClientMetadata('rotate_client_secret: this client has no client_secret to rotate');
  }
  properties.client_secret = await newSecret();
  properties.client_secret_expires_at = 0;
}

// oidc-provider itself lets a public client (token_endpoint_auth_method "none") use the
// client_credentials grant, i.e. get tokens with no secret at all. A real server would not, so
// registrations and updates asking for that are refused.
function noPublicClientCredentials(ctx, properties) {
  if (properties.token_endpoint_auth_method === 'none'
    && properties.grant_types?.includes('client_credentials')) {
    throw new errors.InvalidClientMetadata('client_credentials needs a client that authenticates: token_endpoint_auth_method must not be none');
  }
}

const configuration = {
  // Scopes the provider knows, listed in scopes_supported. Registrations may only name these.
  // At the token endpoint a client gets only scopes it registered (see README.md for the
  // exceptions oidc-provider makes).
  scopes: ['openid', 'offline_access', 'orders.read', 'orders.write', 'reports.read'],

  features: {
    // RFC 7591. Registrations need a bearer initial access token. It is adapter-backed (not the
    // plain-string form) because only a stored token can carry policies; we store one whose
    // value is OIDC_INITIAL_ACCESS_TOKEN when the server starts (see below).
    registration: {
      enabled: true,
      initialAccessToken: true,
      policies: {
        'rotate-secret-on-request': rotateSecretOnRequest,
        'no-public-client-credentials': noPublicClientCredentials,
      },
      secretFactory: newSecret,
    },
    // RFC 7592: read, update (PUT of the full metadata) and delete with the registration access
    // token. Each successful update replaces that token with a new one, returned in the answer.
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
    // The client_credentials grant, with opaque access tokens (no resource server configured).
    clientCredentials: { enabled: true },
    // The built-in login/consent pages stay on, so authorization_code can be tried by hand.
    devInteractions: { enabled: true },
  },

  // Fixed lifetimes (seconds); the defaults would print a notice on each token issued.
  ttl: {
    AccessToken: 3600,
    ClientCredentials: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 86400,
    Interaction: 3600,
    Session: 86400,
    Grant: 86400,
  },

  // A fresh signing key and cookie key per run, instead of the built-in development ones.
  jwks: {
    keys: [{
      ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
      kid: 'test',
      use: 'sig',
      alg: 'RS256',
    }],
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
};

// Listen first, so that port 0 can be resolved before the issuer URL is fixed.
const server = createServer();
server.listen(port, '127.0.0.1', async () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (ctx, err) => console.error('server_error', err));

  // The initial access token, stored under the value the tests know (its id is the token value),
  // bound to our policies; the registration access tokens it leads to inherit them.
  await new provider.InitialAccessToken({
    jti: initialAccessToken,
    policies: [...(rotation ? ['rotate-secret-on-request'] : []), 'no-public-client-credentials'],
  }).save();

  server.on('request', provider.callback());
  process.stdout.write(`listening ${issuer}\n`);
});

server.on('error', (err) => {
  console.error(`cannot listen on 127.0.0.1:${port}: ${err.message}`);
  process.exit(1);
});

function stop(signal) {
  console.error(`${signal}: stopping`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

// Also stop once the process that started us is gone (a test run killed half-way, or `npm start`
// killed: npm does not pass SIGTERM on), so that no stray server is left listening.
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) stop('parent gone'); }, 500).unref();
