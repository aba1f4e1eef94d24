// Google Drive: the connector's resumable upload against the emulator over real HTTP — a 50 MB recording in
// 4 MiB chunks with flat memory, a permission and its webViewLink; the emulator's answers to wrong ranges, a bad
// token, 429 + Retry-After.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionHandle } from '../../core/define-block';
import { peakMemoryGrowth } from '../../testing/peak-memory';
import { recordingSha256, recordingStream } from '../phone-system/emulator/recordings';
import { startGdriveEmulator, type GdriveEmulator } from './emulator';
import { uploadToGdrive } from './upload-file';

const TOKEN = 'ya29.drive-test-token';
let emu: GdriveEmulator;
const saved: Record<string, unknown>[] = [];

const conn = (credentials: Record<string, unknown> = { token: TOKEN, domain: 'acme.test' }): ConnectionHandle => ({
  id: 'c', system: 'gdrive', baseUrl: emu.url, credentials, saveCredentials: async (c) => { saved.push(c); }, reportHealth: async () => {},
});
const call = (c = conn()) => ({ fetch, conn: c, requestLog: [], http: { backoffMs: 5 } });
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

beforeAll(async () => { emu = await startGdriveEmulator({ token: TOKEN, domain: 'acme.test', oauth: { clientId: 'g-app', clientSecret: 'g-secret' }, refreshTokens: ['1//rt-good'] }); });
afterAll(async () => { await emu?.close(); });

async function session(size?: number): Promise<string> {
  const res = await fetch(`${emu.url}/upload/drive/v3/files?uploadType=resumable`, { method: 'POST', headers: { ...auth, ...(size !== undefined ? { 'x-upload-content-length': String(size) } : {}) }, body: JSON.stringify({ name: 'raw.wav' }) });
  expect(res.status).toBe(200);
  return res.headers.get('location')!;
}

describe('Google Drive connector and emulator', () => {
  it('uploads a 50 MB recording in resumable chunks with flat memory; anyone with the link can view it', async () => {
    const size = 50 * 1024 * 1024;
    await uploadToGdrive(call(), { key: 'warm-up.wav', body: recordingStream(1, 5 * 1024 * 1024), size: null });
    const puts0 = emu.stats.byRoute.get('PUT /upload/drive/v3/files') ?? 0;
    const { result: ref, rssMb, heapMb } = await peakMemoryGrowth(() => uploadToGdrive(call(), { key: 'recordings/cust/c-50mb.wav', body: recordingStream(12, size), size, contentType: 'audio/wav' }));
    console.log(`Google Drive 50 MB: RSS growth ${rssMb.toFixed(1)} MB, held ${heapMb.toFixed(1)} MB`);
    expect(ref).toMatchObject({ system: 'gdrive', key: 'root/c-50mb.wav', size, contentType: 'audio/wav', expiresAt: null });
    expect(ref.url).toBe(`${emu.url}/file/d/${ref.fileId}/view?usp=drivesdk`);
    const f = emu.store.file(ref.fileId)!;
    expect(f).toMatchObject({ name: 'c-50mb.wav', mimeType: 'audio/wav', size, parents: ['root'] });
    expect(f.permissions).toContainEqual({ id: 'anyoneWithLink', type: 'anyone', role: 'reader' });
    expect(ref.etag).toBe(f.md5Checksum);
    expect(await emu.store.sha256(ref.fileId)).toBe(recordingSha256(12, size));
    expect((emu.stats.byRoute.get('PUT /upload/drive/v3/files') ?? 0) - puts0).toBe(13);
    expect(heapMb).toBeLessThan(16);
    expect(rssMb).toBeLessThan(45);
  }, 60_000);

  it('shares with the Workspace domain when asked; without a domain it says which field is missing', async () => {
    const ref = await uploadToGdrive(call(), { key: 'org.wav', body: recordingStream(3, 300_000), size: 300_000, linkScope: 'organization' });
    expect(emu.store.file(ref.fileId)!.permissions).toContainEqual({ id: 'acme.test-domain', type: 'domain', role: 'reader', domain: 'acme.test' });
    const err = await uploadToGdrive(call(conn({ token: TOKEN })), { key: 'org.wav', body: recordingStream(3, 10), size: 10, linkScope: 'organization' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'invalid_params', path: ['domain'] });
    const noDomain = await fetch(`${emu.url}/drive/v3/files/${ref.fileId}/permissions`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'domain', role: 'reader' }) });
    expect(noDomain.status).toBe(400);
    expect(await noDomain.json()).toMatchObject({ error: { code: 400, message: 'The permission domain field is required.' } });
  });

  it('answers 308 with the Range held, refuses a gap and a short middle chunk, skips an overlap, completes with the total', async () => {
    const uri = await session(600 * 1024);
    const put = (range: string, bytes: number) => fetch(uri, { method: 'PUT', headers: { 'content-range': range }, body: Buffer.alloc(bytes, 7) });
    const first = await put(`bytes 0-${256 * 1024 - 1}/${600 * 1024}`, 256 * 1024);
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${256 * 1024 - 1}`);
    const gap = await put(`bytes ${512 * 1024}-${600 * 1024 - 1}/${600 * 1024}`, 88 * 1024);
    expect(gap.status).toBe(400);
    expect((await gap.json()).error.message).toMatch(/upload offset is 524288 byte\(s\), which exceeds already uploaded size of 262144/);
    const short = await put(`bytes ${256 * 1024}-${256 * 1024 + 999}/*`, 1000);
    expect(short.status).toBe(400);
    expect((await short.json()).error.message).toMatch(/multiple of 262144/);
    // A retry of the first chunk plus the next: the known part is skipped.
    const overlap = await put(`bytes 0-${512 * 1024 - 1}/${600 * 1024}`, 512 * 1024);
    expect(overlap.headers.get('range')).toBe(`bytes=0-${512 * 1024 - 1}`);
    const status = await fetch(uri, { method: 'PUT', headers: { 'content-range': `bytes */${600 * 1024}` } });
    expect(status.status).toBe(308);
    const last = await put(`bytes ${512 * 1024}-${600 * 1024 - 1}/${600 * 1024}`, 88 * 1024);
    expect(last.status).toBe(200);
    const file = await last.json();
    expect(file).toMatchObject({ kind: 'drive#file', name: 'raw.wav' });
    expect(emu.store.file(file.id)!.size).toBe(600 * 1024);
    const unknown = await fetch(`${emu.url}/upload/drive/v3/files?uploadType=resumable&upload_id=nope`, { method: 'PUT', headers: { 'content-range': 'bytes */10' } });
    expect(unknown.status).toBe(404);
  });

  it('a bad token is a clear connection error naming Google Drive; nothing is stored', async () => {
    const before = emu.store.files().length;
    const err = await uploadToGdrive(call(conn({ token: 'wrong' })), { key: 'bad.wav', body: recordingStream(1, 1000), size: 1000 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'connection_auth' });
    expect(err.message).toMatch(/Google Drive rejected the credentials: reconnect Google Drive \(Request had invalid authentication credentials.* \[authError\]\)/);
    expect(emu.store.files().length).toBe(before);
  });

  it('waits out 429 + Retry-After; a stream of unknown length ending on a chunk boundary is completed with its total', async () => {
    emu.throttleNext(2, 1);
    const t0 = Date.now();
    const size = 2 * 1024 * 1024;
    const ref = await uploadToGdrive(call(), { key: 'throttled.wav', body: recordingStream(2, size), size: null, chunkSize: 1024 * 1024 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(emu.stats.rateLimited).toBeGreaterThanOrEqual(2);
    expect(ref.size).toBe(size);
    expect(await emu.store.sha256(ref.fileId)).toBe(recordingSha256(2, size));
  }, 30_000);

  it('refreshes an expired OAuth token and saves the new one', async () => {
    saved.length = 0;
    const ref = await uploadToGdrive(call(conn({ accessToken: 'ya29.expired', refreshToken: '1//rt-good', clientId: 'g-app', clientSecret: 'g-secret' })), { key: 'oauth.wav', body: recordingStream(3, 5000), size: 5000 });
    expect(ref.size).toBe(5000);
    expect(saved.at(-1)).toMatchObject({ accessToken: expect.stringMatching(/^emu\./), refreshToken: '1//rt-good' });
  });

  it('the request log keeps the session URI\'s credential out (upload_id redacted)', async () => {
    const requestLog: { url: string; method: string }[] = [];
    await uploadToGdrive({ fetch, conn: conn(), requestLog: requestLog as never, http: { backoffMs: 5 } }, { key: 'log.wav', body: recordingStream(8, 1000), size: 1000 });
    const puts = requestLog.filter((e) => e.method === 'PUT');
    expect(puts.length).toBe(1);
    expect(puts[0].url).toBe('/upload/drive/v3/files?uploadType=resumable&upload_id=***');
  });
});
