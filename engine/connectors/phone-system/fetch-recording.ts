// Opens a call recording as a stream. The phone system's credentials go only to the phone system's own host:
// a recording URL elsewhere (a CDN, a pre-signed link) is fetched without them.
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { authStrategy } from './client';
import { resolvePhonebookConfig } from './config';

export async function openRecording(call: ConnectorCall, url: string): Promise<{ body: ReadableStream<Uint8Array>; contentType: string | null; size: number | null }> {
  let target: URL;
  try { target = new URL(url); } catch { throw new PatchbayError('invalid_params', `Not a recording URL: ${url}`, { path: ['recordingUrl'] }); }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new PatchbayError('invalid_params', `Recording URLs must be http(s): ${url}`, { path: ['recordingUrl'] });
  const config = resolvePhonebookConfig(call.conn);
  const base = config.baseUrl ?? call.conn.baseUrl;
  const headers: Record<string, string> = {};
  if (base && new URL(base).origin === target.origin) {
    const query = target.searchParams;
    await authStrategy(config, call.conn.credentials ?? {}).apply({ headers, query });
  }
  const t0 = Date.now();
  const res = await call.fetch(target, { headers, signal: call.signal });
  call.requestLog.push({ method: 'GET', url: `${target.origin}${target.pathname}`, status: res.status, durationMs: Date.now() - t0, attempt: 1 });
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw new PatchbayError(res.status === 401 || res.status === 403 ? 'connection_auth' : 'upstream_error', `The phone system answered ${res.status} for the recording ${target.pathname}`, { details: { status: res.status } });
  }
  const len = Number(res.headers.get('content-length'));
  return { body: res.body, contentType: res.headers.get('content-type'), size: Number.isFinite(len) && len > 0 ? len : null };
}
