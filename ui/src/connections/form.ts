import { m } from '../i18n/index.svelte';
import type { ConnectionForm, ConnectionKind, ConnectionView, CredentialKind } from '../ipc';

/** The kinds an admin can add, each with its name in the window's language; the sandbox is built in. */
export const KINDS: { value: Exclude<ConnectionKind, 'sandbox'>; label: () => string }[] = [
  { value: 'automationCloud', label: m.connections_kind_uipath_cloud },
  { value: 'automationSuite', label: m.connections_kind_uipath_suite },
  { value: 'standalone', label: m.connections_kind_standalone },
  { value: 'oauthServer', label: m.connections_kind_oauth_server_rfc },
];

/** Each kind's short name in the window's language. */
export const KIND_LABELS: Record<ConnectionKind, () => string> = {
  sandbox: m.connections_kind_sandbox,
  automationCloud: m.connections_kind_cloud,
  automationSuite: m.connections_kind_suite,
  standalone: m.connections_kind_standalone,
  oauthServer: m.connections_kind_oauth_server,
};

/** What the form holds while the admin types. */
export type FormValues = {
  id: string | null;
  name: string;
  kind: Exclude<ConnectionKind, 'sandbox'>;
  host: string;
  organization: string;
  organizationId: string;
  clientId: string;
  /** How Registrar acts on a UiPath server; an OAuth 2.0 server always takes an initial access token. */
  credential: Exclude<CredentialKind, 'initialAccessToken'>;
  clientSecret: string;
  signInAgain: boolean;
  /** For an OAuth 2.0 server. */
  issuer: string;
  /** For an OAuth 2.0 server; sent as `clientSecret`. */
  initialAccessToken: string;
  /** For an OAuth 2.0 server that takes registrations without a token. */
  openRegistration: boolean;
  /** For a sign-in: the loopback port, empty for the default. */
  signInPort: string;
};

/** The port a sign-in listens on unless another is given (`signin::DEFAULT_PORT` in Rust). */
export const DEFAULT_SIGN_IN_PORT = 52370;

/** Where a sign-in listens, on the given port. */
const LOOPBACK = 'http://127.0.0.1';

/** The redirect URL the sign-in app must have registered for a sign-in on `port`. */
export function signInRedirect(port: string): string {
  return `${LOOPBACK}:${port.trim() === '' ? DEFAULT_SIGN_IN_PORT : port.trim()}/callback`;
}

export function emptyForm(): FormValues {
  return {
    id: null,
    name: '',
    kind: 'automationCloud',
    host: '',
    organization: '',
    organizationId: '',
    clientId: '',
    credential: 'clientSecret',
    clientSecret: '',
    signInAgain: false,
    issuer: '',
    initialAccessToken: '',
    openRegistration: false,
    signInPort: '',
  };
}

/** The form for editing a saved connection; the secret is never sent back, so it starts empty. */
export function formFor(connection: ConnectionView): FormValues {
  return {
    id: connection.id,
    name: connection.name,
    kind: connection.kind === 'sandbox' ? 'automationCloud' : connection.kind,
    host: connection.host ?? '',
    organization: connection.organization,
    // Left empty so a changed server's token can name its own organization; Rust keeps the saved one
    // while the server stays the same.
    organizationId: '',
    clientId: connection.clientId,
    credential: connection.credential === 'initialAccessToken' ? 'clientSecret' : connection.credential,
    clientSecret: '',
    signInAgain: false,
    issuer: connection.issuer ?? '',
    initialAccessToken: '',
    openRegistration: connection.openRegistration,
    signInPort: connection.signInPort === null ? '' : String(connection.signInPort),
  };
}

/** The credential the form's values stand for. */
export function credentialOf(values: FormValues): CredentialKind {
  return values.kind === 'oauthServer' ? 'initialAccessToken' : values.credential;
}

/** The fields the form shows for these values, in order. */
export function shownFields(values: FormValues): (keyof FormValues)[] {
  if (values.kind === 'oauthServer') {
    return values.openRegistration ? ['name', 'issuer'] : ['name', 'issuer', 'initialAccessToken'];
  }
  return [
    'name',
    'host',
    ...(values.kind === 'standalone' ? [] : (['organization'] as const)),
    'clientId',
    ...(values.credential === 'clientSecret' ? (['clientSecret'] as const) : (['signInPort'] as const)),
    'organizationId',
  ];
}

/** The host a kind needs, and what to suggest. */
export function hostRule(kind: FormValues['kind']): { required: boolean; placeholder: string } {
  return kind === 'automationCloud'
    ? { required: false, placeholder: m.connections_host_placeholder_cloud() }
    : { required: true, placeholder: kind === 'standalone' ? 'orchestrator.example.com' : 'suite.example.com' };
}

/** Whether `text` reads as an http or https URL; Rust decides what it accepts. */
function isWebUrl(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** Field messages the form can give before anything is sent; Rust checks everything again. */
export function checkForm(values: FormValues, editing: ConnectionView | null): Partial<Record<keyof FormValues, string>> {
  const errors: Partial<Record<keyof FormValues, string>> = {};
  if (values.name.trim() === '') {
    errors.name = m.connections_name_required();
  }
  if (values.kind === 'oauthServer') {
    if (values.issuer.trim() === '') {
      errors.issuer = m.connections_issuer_required();
    } else if (!isWebUrl(values.issuer.trim())) {
      errors.issuer = m.connections_issuer_invalid();
    }
    if (!values.openRegistration && values.initialAccessToken.trim() === '' && !keepsSecret(values, editing)) {
      errors.initialAccessToken = m.connections_token_required();
    }
    return errors;
  }
  if (hostRule(values.kind).required && values.host.trim() === '') {
    errors.host = m.connections_host_required();
  }
  if (values.kind !== 'standalone' && values.organization.trim() === '') {
    errors.organization = m.connections_organization_required();
  }
  if (values.clientId.trim() === '') {
    errors.clientId =
      values.credential === 'signIn' ? m.connections_sign_in_client_id_required() : m.connections_admin_client_id_required();
  }
  if (values.credential === 'clientSecret' && values.clientSecret.trim() === '' && !keepsSecret(values, editing)) {
    errors.clientSecret = m.connections_client_secret_required();
  }
  if (values.credential === 'signIn' && values.signInPort.trim() !== '' && portOf(values.signInPort) === null) {
    errors.signInPort = m.connections_port_invalid({ port: DEFAULT_SIGN_IN_PORT });
  }
  return errors;
}

/**
 * Whether an empty secret (or initial access token) keeps the one in the keychain: only for the
 * same admin app on the same server, or the same issuer, so a saved secret is never sent to a
 * server typed in the edit.
 */
export function keepsSecret(values: FormValues, editing: ConnectionView | null): boolean {
  if (editing === null || editing.kind !== values.kind) {
    return false;
  }
  if (values.kind === 'oauthServer') {
    return (
      editing.credential === 'initialAccessToken' && !editing.openRegistration && (editing.issuer ?? '') === values.issuer.trim()
    );
  }
  return (
    editing.credential === 'clientSecret' &&
    editing.clientId === values.clientId.trim() &&
    (editing.host ?? '') === values.host.trim() &&
    (values.kind === 'standalone' || editing.organization === values.organization.trim())
  );
}

function portOf(text: string): number | null {
  if (!/^\d{1,5}$/.test(text.trim())) {
    return null;
  }
  const port = Number(text.trim());
  return port >= 1 && port <= 65535 ? port : null;
}

/** What is sent to Rust. */
export function toIpcForm(values: FormValues): ConnectionForm {
  const optional = (text: string) => (text.trim() === '' ? null : text.trim());
  if (values.kind === 'oauthServer') {
    return {
      id: values.id,
      name: values.name.trim(),
      kind: values.kind,
      host: null,
      organization: '',
      organizationId: null,
      clientId: '',
      credential: 'initialAccessToken',
      clientSecret: values.openRegistration ? null : optional(values.initialAccessToken),
      signInAgain: false,
      issuer: values.issuer.trim(),
      openRegistration: values.openRegistration,
      signInPort: null,
    };
  }
  return {
    id: values.id,
    name: values.name.trim(),
    kind: values.kind,
    host: optional(values.host),
    organization: values.kind === 'standalone' ? '' : values.organization.trim(),
    organizationId: optional(values.organizationId),
    clientId: values.clientId.trim(),
    credential: values.credential,
    clientSecret: values.credential === 'clientSecret' ? optional(values.clientSecret) : null,
    signInAgain: values.signInAgain,
    issuer: null,
    openRegistration: false,
    signInPort: values.credential === 'signIn' ? portOf(values.signInPort) : null,
  };
}
