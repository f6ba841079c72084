import type { ConnectionForm, ConnectionKind, ConnectionView, CredentialKind } from '../ipc';

/** The kinds an admin can add; the sandbox is built in. */
export const KINDS: { value: Exclude<ConnectionKind, 'sandbox'>; label: string }[] = [
  { value: 'automationCloud', label: 'UiPath Automation Cloud' },
  { value: 'automationSuite', label: 'UiPath Automation Suite' },
  { value: 'standalone', label: 'Standalone Orchestrator' },
  { value: 'oauthServer', label: 'OAuth 2.0 server (RFC 7591)' },
];

export const KIND_LABELS: Record<ConnectionKind, string> = {
  sandbox: 'Sandbox',
  automationCloud: 'Automation Cloud',
  automationSuite: 'Automation Suite',
  standalone: 'Standalone Orchestrator',
  oauthServer: 'OAuth 2.0 server',
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

/** The redirect URL the sign-in app must have registered for a sign-in on `port`. */
export function signInRedirect(port: string): string {
  return `http://127.0.0.1:${port.trim() === '' ? DEFAULT_SIGN_IN_PORT : port.trim()}/callback`;
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
    ? { required: false, placeholder: 'cloud.uipath.com (or a Public Sector or Dedicated host)' }
    : { required: true, placeholder: kind === 'standalone' ? 'orchestrator.example.com' : 'suite.example.com' };
}

/** Whether `text` reads as an http or https URL; Rust decides what it accepts. */
function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Field messages the form can give before anything is sent; Rust checks everything again. */
export function checkForm(values: FormValues, editing: ConnectionView | null): Partial<Record<keyof FormValues, string>> {
  const errors: Partial<Record<keyof FormValues, string>> = {};
  if (values.name.trim() === '') {
    errors.name = 'Give the connection a name.';
  }
  if (values.kind === 'oauthServer') {
    if (values.issuer.trim() === '') {
      errors.issuer = 'Give the server’s issuer URL.';
    } else if (!isWebUrl(values.issuer.trim())) {
      errors.issuer = 'Give the issuer as a URL, e.g. https://login.example.com.';
    }
    if (!values.openRegistration && values.initialAccessToken.trim() === '' && !keepsSecret(values, editing)) {
      errors.initialAccessToken = 'Give the initial access token.';
    }
    return errors;
  }
  if (hostRule(values.kind).required && values.host.trim() === '') {
    errors.host = 'Give the server’s host name.';
  }
  if (values.kind !== 'standalone' && values.organization.trim() === '') {
    errors.organization = 'Give the organization’s name as it appears in its URLs.';
  }
  if (values.clientId.trim() === '') {
    errors.clientId = values.credential === 'signIn' ? 'Give the client ID of the sign-in app.' : 'Give the client ID of the admin app.';
  }
  if (values.credential === 'clientSecret' && values.clientSecret.trim() === '' && !keepsSecret(values, editing)) {
    errors.clientSecret = 'Give the admin app’s client secret.';
  }
  if (values.credential === 'signIn' && values.signInPort.trim() !== '' && portOf(values.signInPort) === null) {
    errors.signInPort = 'Give a port number from 1 to 65535, or leave it empty for 52370.';
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
