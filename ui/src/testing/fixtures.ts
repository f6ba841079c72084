import type { AppDetails, AppSummary, CatalogResource, ConnectionList, ConnectionView } from '../ipc';

export const SANDBOX: ConnectionView = {
  id: 'sandbox',
  name: 'Sandbox',
  kind: 'sandbox',
  identityUrl: 'http://127.0.0.1:47011/acme/identity_',
  organization: 'acme',
  host: null,
  organizationId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  clientId: 'sandbox-admin',
  credential: 'clientSecret',
  issuer: null,
  openRegistration: false,
  signInPort: null,
  features: { register: null, deleteSecret: null, secretDetails: null },
};

export const ACME: ConnectionView = {
  id: 'acme',
  name: 'Acme production',
  kind: 'automationSuite',
  identityUrl: 'https://suite.acme.test/acme/identity_',
  organization: 'acme',
  host: 'suite.acme.test',
  organizationId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  clientId: 'registrar-admin',
  credential: 'signIn',
  issuer: null,
  openRegistration: false,
  signInPort: null,
  features: { register: null, deleteSecret: null, secretDetails: null },
};

/** An OAuth 2.0 server with dynamic client registration: one secret per app, kept without details. */
export const LOGIN_SERVER: ConnectionView = {
  id: 'login',
  name: 'Login server',
  kind: 'oauthServer',
  identityUrl: 'https://login.example.com',
  organization: '',
  host: null,
  organizationId: '',
  clientId: '',
  credential: 'initialAccessToken',
  issuer: 'https://login.example.com',
  openRegistration: false,
  signInPort: null,
  features: {
    register: null,
    deleteSecret: { kind: 'oneSecretPerApp' },
    secretDetails: { kind: 'serverSetsSecret' },
  },
};

export const CONNECTIONS: ConnectionList = { connections: [SANDBOX, ACME], currentId: 'sandbox', notice: null };

export const BILLING: AppSummary = {
  id: '5f0c7e0e-1d2a-4c8b-9d41-0c1f2a3b4c5d',
  name: 'Billing sync',
  appType: 'confidential',
  scopes: [
    { name: 'OR.Jobs', type: 'application' },
    { name: 'OR.Jobs.Read', type: 'application' },
  ],
  redirectUris: [],
  secretCount: 1,
  nearestExpiry: null,
  listedOnly: false,
  findings: 2,
};

export const PORTAL: AppSummary = {
  id: '9a8b7c6d-0000-4111-8222-333344445555',
  name: 'Partner portal',
  appType: 'nonConfidential',
  scopes: [{ name: 'DataService.Data.Read', type: 'user' }],
  redirectUris: ['http://127.0.0.1:8400/callback', 'https://portal.example.com/signin'],
  secretCount: 0,
  nearestExpiry: null,
  listedOnly: false,
  findings: 0,
};

/** Billing sync as its page shows it: one secret that works, one expired. */
export const BILLING_DETAILS: AppDetails = {
  id: BILLING.id,
  name: BILLING.name,
  appType: 'confidential',
  redirectUris: ['https://billing.example.com/cb'],
  scopes: [
    { name: 'OR.Jobs', type: 'application' },
    { name: 'OR.Jobs.Read', type: 'user' },
  ],
  secrets: [
    { id: 11, description: 'For CI', created: '2026-01-10T09:30:00Z', expires: '2027-01-10T23:59:59Z', status: 'active' },
    { id: 12, description: null, created: '2025-01-01T08:00:00Z', expires: '2025-06-30T23:59:59Z', status: 'expired' },
  ],
  holdsSecret: false,
  heldSecretId: null,
  unmanaged: null,
  replacedSecret: null,
  rotation: null,
};

export const CATALOG: CatalogResource[] = [
  {
    name: 'OrchestratorApiUserAccess',
    displayName: 'Orchestrator API Access',
    description: 'Robots, jobs, queues and folders.',
    scopes: [
      { name: 'OR.Jobs', displayName: 'Jobs', description: 'Start, stop and watch jobs.', user: true, application: true },
      { name: 'OR.Jobs.Read', displayName: 'Jobs (read)', description: null, user: true, application: true },
      { name: 'OR.Jobs.Write', displayName: 'Jobs (write)', description: null, user: true, application: true },
      {
        name: 'OR.Queues.Read',
        displayName: 'Queues (read)',
        description: 'Read queue items and their status.',
        user: true,
        application: true,
      },
    ],
  },
  {
    name: 'DataServiceApiUserAccess',
    displayName: 'Data Service API Access',
    description: null,
    scopes: [
      { name: 'DataService.Data.Read', displayName: 'Read data', description: null, user: true, application: false },
    ],
  },
  {
    name: 'AIFabricAccess',
    displayName: 'AI Center API Access',
    description: null,
    scopes: [{ name: 'AI.Deployer', displayName: 'Deployer', description: null, user: false, application: true }],
  },
];

/** A promise with its resolve and reject in hand, to look at what shows while a call runs. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
