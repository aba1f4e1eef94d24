// Dropbox API v2 through the shared HTTP client: RPC calls on the API host (JSON in, JSON out), uploads on the
// content host (bytes in the body, arguments in the Dropbox-API-Arg header). Bearer auth from the connection's
// OAuth tokens, refreshed at Dropbox's token endpoint when expired or refused; a generated token works too.
// A custom base URL (the emulator) serves both hosts.
import { createHttpClient, type HttpClient } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { oauthBearer } from '../kit/oauth2';

export const DROPBOX_API_BASE = 'https://api.dropboxapi.com';
export const DROPBOX_CONTENT_BASE = 'https://content.dropboxapi.com';

export interface DropboxClient { api: HttpClient; content: HttpClient }

/** Dropbox's error summary (`incorrect_offset/..`) or its plain-text 400 message. */
function errorMessage(_status: number, body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 300);
  const b = (body ?? {}) as Record<string, unknown>;
  return typeof b.error_summary === 'string' ? b.error_summary : undefined;
}

/** JSON for the Dropbox-API-Arg header: HTTP headers carry ASCII only, so everything else is \u-escaped. */
export const headerSafeJson = (v: unknown) => JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

export function createDropboxClient(call: ConnectorCall): DropboxClient {
  const custom = call.conn.baseUrl && call.conn.baseUrl.replace(/\/+$/, '') !== DROPBOX_API_BASE ? call.conn.baseUrl.replace(/\/+$/, '') : null;
  const tokenUrl = `${custom ?? DROPBOX_API_BASE}/oauth2/token`;
  const auth = oauthBearer(call.conn, call.fetch, tokenUrl);
  const make = (baseUrl: string) => createHttpClient({
    fetch: call.fetch, baseUrl, systemName: 'Dropbox', auth, requestLog: call.requestLog, signal: call.signal, errorMessage, timeoutMs: 120_000, ...call.http,
  });
  return { api: make(custom ?? DROPBOX_API_BASE), content: make(custom ?? DROPBOX_CONTENT_BASE) };
}

/** The tagged error of a 409 answer (`{ '.tag': 'incorrect_offset', correct_offset }`), if that is what failed. */
export function dropboxError(err: unknown): Record<string, any> | null {
  const e = err as { status?: number; body?: unknown };
  if (e?.status !== 409 || !e.body || typeof e.body !== 'object') return null;
  return ((e.body as Record<string, unknown>).error ?? null) as Record<string, any> | null;
}
