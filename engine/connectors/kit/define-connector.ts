// A connector declares the external system once: how it authenticates and the blocks it contributes.
import type { AnyBlock } from '../../core/define-block';

export type AuthKind =
  | { type: 'apiKey'; fields: { id: string; label: string; secret: boolean }[]; help?: string }
  | {
      type: 'oauth2'; authorizePath: string; tokenPath: string; scopes: string[]; help?: string;
      /**
       * Where the authorization host depends on the account (a Dynamics environment signs in at Entra ID with
       * scopes of its own URL, a Zoho account at its data centre's accounts server): the endpoints (and scopes) for
       * a base URL, or undefined to use the paths above.
       */
      forBaseUrl?: (baseUrl: string) => { authorizeUrl: string; tokenUrl: string; scopes?: string[] } | undefined;
    };

export interface ConnectorDefinition {
  id: string;
  name: string;
  /** Default API base URL of the real service (overridden per connection, e.g. a Salesforce instance or an emulator). */
  defaultBaseUrl: string;
  auth: AuthKind[];
  blocks: AnyBlock[];
  /** Cheap authenticated call used by the connection health check. */
  /** `account` names the account for people; `accountId` identifies it for the CRM's own webhooks (a HubSpot portal id). */
  testConnection?: (conn: import('../../core/define-block').ConnectionHandle, fetchImpl: typeof fetch) => Promise<{ ok: true; account?: string; accountId?: string }>;
}

export function defineConnector(def: ConnectorDefinition): ConnectorDefinition {
  for (const b of def.blocks) {
    if (!b.id.startsWith(def.id + '.')) throw new Error(`Block ${b.id} of connector ${def.id} must be named ${def.id}.<action>`);
    if (b.connector !== def.id) throw new Error(`Block ${b.id} must declare connector: '${def.id}'`);
  }
  return def;
}
