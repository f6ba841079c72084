import { m } from '../i18n/index.svelte';
import { formatNumber } from '../i18n/format';
import type { StepSaid } from '../ipc';
import { unavailableText } from '../connections/features';

/** What a step of Test connection found, in the window's language. */
export function stepText(said: StepSaid): string {
  switch (said.kind) {
    case 'discovery': {
      const words = { issuer: said.issuer, token: said.tokenEndpoint };
      return said.differsFrom === null
        ? m.header_said_discovery(words)
        : m.header_said_discovery_differs({ ...words, connection: said.differsFrom });
    }
    case 'metadata':
      return m.header_said_metadata({
        issuer: said.issuer,
        token: said.tokenEndpoint,
        registration: said.registrationEndpoint,
      });
    case 'noRegistrationEndpoint':
      return unavailableText(said);
    case 'openRegistration':
      return m.header_said_open_registration();
    case 'initialAccessTokenKept':
      return m.header_said_initial_token_kept();
    case 'clientsRead':
      return m.header_said_clients_read({ count: formatNumber(said.count) });
    case 'adminTokenIssued':
      return said.scopes.length === 0
        ? m.header_said_token_issued_bare()
        : m.header_said_token_issued({ scopes: said.scopes.join(' ') });
    case 'appsListed':
      return m.header_said_apps_listed({ count: formatNumber(said.count) });
    case 'needsAdminToken':
      return m.header_said_needs_token();
    case 'error':
      return said.message;
  }
}
