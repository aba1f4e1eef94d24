// For connector tests against an emulator: the connection handle and the ConnectorCall a block's helper takes,
// the same for every connector (its system name, connection id and default credentials differ).
import type { ConnectionHandle } from '../core/define-block';
import type { ConnectorCall } from '../connectors/kit/contact-source';
import { memoryRenewCredentials } from './memory-credentials';

export function connectorHarness<E extends { url: string }>(system: string, connectionId: string, defaultCredentials: Record<string, unknown>) {
  /** `saved` collects what a token renewal writes back. */
  function connection(e: E, credentials: Record<string, unknown> = defaultCredentials, saved: Record<string, unknown>[] = []): ConnectionHandle {
    return {
      id: connectionId, system, baseUrl: e.url, credentials, saveCredentials: async (next) => { saved.push(next); },
      renewCredentials: memoryRenewCredentials(credentials, (next) => { saved.push(next); }), reportHealth: async () => {},
    };
  }
  /** Fast backoff so retry tests do not wait. */
  function callFor(e: E, credentials?: Record<string, unknown>, http: ConnectorCall['http'] = {}, saved?: Record<string, unknown>[]): ConnectorCall {
    return { fetch, conn: connection(e, credentials, saved), requestLog: [], http: { backoffMs: 5, ...http } };
  }
  return { connection, callFor };
}
