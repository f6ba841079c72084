import { m } from '../i18n/index.svelte';
import type { FindingFacts } from '../ipc';
import { listed, SCOPE_TYPE_IN_SENTENCE } from '../lib/labels';

/** A finding in the window's language: what was found, why it matters, what to change. */
export interface FindingText {
  what: string;
  why: string;
  fix: string;
}

/** What a finding says, from what it names. */
export function findingText(facts: FindingFacts): FindingText {
  switch (facts.kind) {
    case 'userScopesWithoutRedirect':
      return {
        what: m.details_finding_user_scopes_what({ scopes: listed(facts.scopes) }),
        why: m.details_finding_user_scopes_why(),
        fix: m.details_finding_user_scopes_fix(),
      };
    case 'broadAndNarrowScope': {
      const words = { broad: facts.broad, narrower: listed(facts.narrower) };
      return {
        what: m.details_finding_broad_what({ ...words, type: SCOPE_TYPE_IN_SENTENCE[facts.scopeType] }),
        why: m.details_finding_broad_why(words),
        fix: m.details_finding_broad_fix(words),
      };
    }
    case 'plainHttpRedirect':
      return {
        what: m.details_finding_http_what(facts),
        why: m.details_finding_http_why(),
        fix: m.details_finding_http_fix(facts),
      };
    case 'duplicateRedirect':
      return {
        what:
          facts.other === facts.uri
            ? m.details_finding_duplicate_twice_what(facts)
            : m.details_finding_duplicate_slash_what(facts),
        why: m.details_finding_duplicate_why(),
        fix: m.details_finding_duplicate_fix(facts),
      };
    case 'onlyExpiredSecrets':
      return {
        what: m.details_finding_expired_what(),
        why: m.details_finding_expired_why(),
        fix: m.details_finding_expired_fix(),
      };
    case 'secretLivesTooLong': {
      const id = String(facts.secretId);
      const secret =
        facts.description === null
          ? m.details_finding_secret({ id })
          : m.details_finding_secret_described({ id, description: facts.description });
      return {
        what:
          facts.livesDays === null
            ? m.details_finding_never_expires_what({ secret })
            : m.details_finding_lives_long_what({ secret, days: facts.livesDays, max: facts.maxDays }),
        why: m.details_finding_lives_long_why(),
        fix: m.details_finding_lives_long_fix({ max: facts.maxDays }),
      };
    }
    case 'allSecretsTooOld':
      return {
        what: m.details_finding_too_old_what({ max: facts.maxDays }),
        why: m.details_finding_too_old_why(),
        fix: m.details_finding_too_old_fix({ max: facts.maxDays }),
      };
  }
}
