import type { AppSummary, CatalogResource, ConnectionView } from '../ipc';

export const SANDBOX: ConnectionView = {
  id: 'sandbox',
  name: 'Sandbox',
  kind: 'sandbox',
  identityUrl: 'http://127.0.0.1:47011/acme/identity_',
  organization: 'acme',
};

export const BILLING: AppSummary = {
  id: '5f0c7e0e-1d2a-4c8b-9d41-0c1f2a3b4c5d',
  name: 'Billing sync',
  appType: 'confidential',
  scopeCount: 2,
  redirectUris: [],
};

export const PORTAL: AppSummary = {
  id: '9a8b7c6d-0000-4111-8222-333344445555',
  name: 'Partner portal',
  appType: 'nonConfidential',
  scopeCount: 1,
  redirectUris: ['http://127.0.0.1:8400/callback', 'https://portal.example.com/signin'],
};

export const CATALOG: CatalogResource[] = [
  {
    name: 'OrchestratorApiUserAccess',
    displayName: 'Orchestrator API Access',
    description: 'Robots, jobs, queues and folders.',
    scopes: [
      { name: 'OR.Jobs', displayName: 'Jobs', description: null, user: true, application: true },
      { name: 'OR.Jobs.Read', displayName: 'Jobs (read)', description: null, user: true, application: true },
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
