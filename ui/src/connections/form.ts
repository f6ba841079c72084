import type { ConnectionForm, ConnectionKind, ConnectionView, CredentialKind } from '../ipc';

/** The kinds an admin can add; the sandbox is built in. */
export const KINDS: { value: Exclude<ConnectionKind, 'sandbox'>; label: string }[] = [
  { value: 'automationCloud', label: 'UiPath Automation Cloud' },
  { value: 'automationSuite', label: 'UiPath Automation Suite' },
  { value: 'standalone', label: 'Standalone Orchestrator' },
];

export const KIND_LABELS: Record<ConnectionKind, string> = {
  sandbox: 'Sandbox',
  automationCloud: 'Automation Cloud',
  automationSuite: 'Automation Suite',
  standalone: 'Standalone Orchestrator',
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
  credential: CredentialKind;
  clientSecret: string;
  signInAgain: boolean;
};

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
    credential: connection.credential,
    clientSecret: '',
    signInAgain: false,
  };
}

/** The host a kind needs, and what to suggest. */
export function hostRule(kind: FormValues['kind']): { required: boolean; placeholder: string } {
  return kind === 'automationCloud'
    ? { required: false, placeholder: 'cloud.uipath.com (or a Public Sector or Dedicated host)' }
    : { required: true, placeholder: kind === 'standalone' ? 'orchestrator.example.com' : 'suite.example.com' };
}

/** Field messages the form can give before anything is sent; Rust checks everything again. */
export function checkForm(values: FormValues, editing: ConnectionView | null): Partial<Record<keyof FormValues, string>> {
  const errors: Partial<Record<keyof FormValues, string>> = {};
  if (values.name.trim() === '') {
    errors.name = 'Give the connection a name.';
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
  return errors;
}

/**
 * Whether an empty secret keeps the one in the keychain: only for the same admin app on the same
 * server, so a saved secret is never sent to a host typed in the edit.
 */
export function keepsSecret(values: FormValues, editing: ConnectionView | null): boolean {
  return (
    editing !== null &&
    editing.credential === 'clientSecret' &&
    editing.clientId === values.clientId.trim() &&
    editing.kind === values.kind &&
    (editing.host ?? '') === values.host.trim() &&
    (values.kind === 'standalone' || editing.organization === values.organization.trim())
  );
}

/** What is sent to Rust. */
export function toIpcForm(values: FormValues): ConnectionForm {
  const optional = (text: string) => (text.trim() === '' ? null : text.trim());
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
  };
}
