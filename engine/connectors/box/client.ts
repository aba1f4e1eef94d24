// Box through the shared HTTP client: the API host (api.box.com/2.0) and the upload host (upload.box.com/api/2.0),
// Bearer auth from the connection's OAuth tokens refreshed at Box's token endpoint, or a developer token. A custom
// base URL (the emulator) serves both hosts: /2.0 and /api/2.0.
import { createHttpClient, type HttpClient } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { oauthBearer } from '../kit/oauth2';

export const BOX_API_BASE = 'https://api.box.com';
export const BOX_UPLOAD_BASE = 'https://upload.box.com';

function errorMessage(_status: number, body: unknown): string | undefined {
  const b = (body ?? {}) as { code?: string; message?: string };
  return b.code ? `${b.code}: ${b.message ?? ''}`.trim() : undefined;
}

/** Box's error code of a failed request (`item_name_in_use`, `range_overlaps_existing_part` …). */
export const boxCode = (err: unknown): { code: string; status: number; body: Record<string, any> } | null => {
  const e = err as { status?: number; body?: unknown };
  const b = e?.body as Record<string, any> | undefined;
  return b && typeof b === 'object' && typeof b.code === 'string' ? { code: b.code, status: e.status ?? 0, body: b } : null;
};

export function createBoxClient(call: ConnectorCall): { api: HttpClient; upload: HttpClient } {
  const custom = call.conn.baseUrl && call.conn.baseUrl.replace(/\/+$/, '') !== BOX_API_BASE ? call.conn.baseUrl.replace(/\/+$/, '') : null;
  const auth = oauthBearer(call.conn, call.fetch, `${custom ?? BOX_API_BASE}/oauth2/token`);
  const make = (baseUrl: string) => createHttpClient({ fetch: call.fetch, baseUrl, systemName: 'Box', auth, requestLog: call.requestLog, signal: call.signal, errorMessage, timeoutMs: 120_000, ...call.http });
  return { api: make(`${custom ?? BOX_API_BASE}/2.0`), upload: make(`${custom ?? BOX_UPLOAD_BASE}/api/2.0`) };
}
