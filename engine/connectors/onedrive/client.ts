// Microsoft Graph (OneDrive, SharePoint document libraries) through the shared HTTP client: Bearer auth from the
// connection's OAuth tokens, refreshed at the Microsoft identity platform's token endpoint; upload URLs are
// pre-authenticated and get no Authorization header. A custom base URL (the emulator) serves Graph and the token
// endpoint.
import { createHttpClient, type HttpClient } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { oauthBearer } from '../kit/oauth2';

export const GRAPH_BASE = 'https://graph.microsoft.com';
export const MS_LOGIN = 'https://login.microsoftonline.com';

function errorMessage(_status: number, body: unknown): string | undefined {
  const e = (body as { error?: { code?: string; message?: string } } | null)?.error;
  return e && typeof e === 'object' ? `${e.code ?? ''}: ${e.message ?? ''}` : undefined;
}

/** Graph's error code (`invalidRange`, `nameAlreadyExists` …) of a failed request. */
export const graphCode = (err: unknown): string | null => {
  const e = (err as { body?: { error?: { code?: unknown } } })?.body?.error;
  return typeof e?.code === 'string' ? e.code : null;
};

export function createGraphClients(call: ConnectorCall): { graph: HttpClient; upload: HttpClient } {
  const base = (call.conn.baseUrl || GRAPH_BASE).replace(/\/+$/, '');
  const tenant = typeof call.conn.credentials?.tenantId === 'string' && call.conn.credentials.tenantId ? call.conn.credentials.tenantId : 'common';
  const tokenUrl = base === GRAPH_BASE ? `${MS_LOGIN}/${tenant}/oauth2/v2.0/token` : `${base}/common/oauth2/v2.0/token`;
  const common = { fetch: call.fetch, systemName: 'OneDrive', requestLog: call.requestLog, signal: call.signal, errorMessage, timeoutMs: 120_000, ...call.http };
  return {
    graph: createHttpClient({ ...common, baseUrl: `${base}/v1.0`, auth: oauthBearer(call.conn, call.fetch, tokenUrl) }),
    upload: createHttpClient({ ...common, baseUrl: base }),
  };
}
