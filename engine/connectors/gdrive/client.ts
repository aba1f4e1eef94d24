// Google Drive API v3 through the shared HTTP client: Bearer auth from the connection's OAuth tokens, refreshed at
// Google's token endpoint when expired or refused. A custom base URL (the emulator) serves the API, the upload
// endpoint and the token endpoint.
import { createHttpClient, type HttpClient } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { oauthBearer } from '../kit/oauth2';

export const GDRIVE_API_BASE = 'https://www.googleapis.com';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** Google's error message and reason (`userRateLimitExceeded`, `notFound` …). */
function errorMessage(_status: number, body: unknown): string | undefined {
  const e = (body as { error?: { message?: string; errors?: { reason?: string }[] } } | null)?.error;
  if (!e || typeof e !== 'object') return typeof body === 'string' ? body.slice(0, 300) : undefined;
  const reason = e.errors?.[0]?.reason;
  return `${e.message ?? ''}${reason ? ` [${reason}]` : ''}`.trim() || undefined;
}

export function createDriveClient(call: ConnectorCall): HttpClient {
  const base = (call.conn.baseUrl || GDRIVE_API_BASE).replace(/\/+$/, '');
  const tokenUrl = base === GDRIVE_API_BASE ? GOOGLE_TOKEN_URL : `${base}/token`;
  return createHttpClient({
    fetch: call.fetch, baseUrl: base, systemName: 'Google Drive', auth: oauthBearer(call.conn, call.fetch, tokenUrl),
    requestLog: call.requestLog, signal: call.signal, errorMessage, timeoutMs: 120_000, ...call.http,
  });
}
