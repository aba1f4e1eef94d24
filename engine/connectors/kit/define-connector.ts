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
      /**
       * Credentials beyond the access and refresh token that the token answer carries and the connector needs
       * (Slack's installing user's token, `authed_user.access_token`, next to the bot token). Stored encrypted with them.
       */
      extraCredentials?: (tokenAnswer: Record<string, unknown>) => Record<string, unknown>;
    };

/** What `npm run emulator`, the tests and the benchmarks need to run a local stand-in for the system. */
export interface ConnectorEmulator {
  /** Starts the emulator (loaded on first use, so serving processes never load it). `env` carries the CLI's extra settings. */
  start(o: { port?: number; contacts?: number; token?: string; rateLimit?: number; oauth?: { clientId: string; clientSecret: string }; env?: Record<string, string | undefined> }): Promise<{ url: string; close(): Promise<void> }>;
  /** Demo mode: the port the README's emulator command uses, and the demo OAuth app it accepts (Patchbay's "Connect with OAuth"). */
  demo: { port: number; oauthClient?: { clientId: string; clientSecret: string } };
  /** Benchmarks (bench:connectors): the largest page the contact source reads, and a static-token connection's credentials. */
  bench?: { pageSize: number; credentials(token: string): Record<string, unknown> };
}

export interface ConnectorDefinition {
  id: string;
  name: string;
  /** Default API base URL of the real service (overridden per connection, e.g. a Salesforce instance or an emulator). */
  defaultBaseUrl: string;
  auth: AuthKind[];
  blocks: AnyBlock[];
  /** Its local emulator, demo OAuth app and benchmark settings. */
  emulator?: ConnectorEmulator;
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
