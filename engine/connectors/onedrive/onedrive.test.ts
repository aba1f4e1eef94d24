// OneDrive: the connector's Graph upload session against the emulator over real HTTP — a 50 MB recording in
// fragments of 12 × 320 KiB with flat memory, a view link; the emulator's answers to a wrong range, a fragment
// that is no multiple of 320 KiB, an Authorization header on the uploadUrl, a bad token, 429 + Retry-After.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionHandle } from '../../core/define-block';
import { peakMemoryGrowth } from '../../testing/peak-memory';
import { recordingSha256, recordingStream } from '../phone-system/emulator/recordings';
import { startOnedriveEmulator, type OnedriveEmulator } from './emulator';
import { uploadToOnedrive } from './upload-file';

const TOKEN = 'eyJ0eXAi.graph-test-token';
let emu: OnedriveEmulator;
const saved: Record<string, unknown>[] = [];

const conn = (credentials: Record<string, unknown> = { token: TOKEN }): ConnectionHandle => ({
  id: 'c', system: 'onedrive', baseUrl: emu.url, credentials, saveCredentials: async (c) => { saved.push(c); }, reportHealth: async () => {},
});
const call = (c = conn()) => ({ fetch, conn: c, requestLog: [], http: { backoffMs: 5 } });
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const KIB320 = 320 * 1024;

beforeAll(async () => { emu = await startOnedriveEmulator({ token: TOKEN, oauth: { clientId: 'ms-app', clientSecret: 'ms-secret' }, refreshTokens: ['M.rt-good'] }); });
afterAll(async () => { await emu?.close(); });

async function session(path = 'raw/raw.bin'): Promise<string> {
  const res = await fetch(`${emu.url}/v1.0/me/drive/root:/${path}:/createUploadSession`, { method: 'POST', headers: auth, body: JSON.stringify({ item: { '@microsoft.graph.conflictBehavior': 'replace' } }) });
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.nextExpectedRanges).toEqual(['0-']);
  return body.uploadUrl;
}

describe('OneDrive connector and emulator', () => {
  it('uploads a 50 MB recording in 320 KiB-multiple fragments with flat memory and creates a view link', async () => {
    const size = 50 * 1024 * 1024;
    await uploadToOnedrive(call(), { key: 'warm-up.wav', body: recordingStream(1, 5 * 1024 * 1024), size: null });
    const puts0 = emu.stats.byRoute.get('PUT /up/:id') ?? 0;
    const { result: ref, rssMb, heapMb } = await peakMemoryGrowth(() => uploadToOnedrive(call(), { key: 'recordings/cust/c-50mb.wav', body: recordingStream(14, size), size, contentType: 'audio/wav' }));
    console.log(`OneDrive 50 MB: RSS growth ${rssMb.toFixed(1)} MB, held ${heapMb.toFixed(1)} MB`);
    expect(ref).toMatchObject({ system: 'onedrive', key: '/Patchbay/recordings/cust/c-50mb.wav', size, contentType: 'audio/wav', expiresAt: null });
    const item = emu.store.byPath('Patchbay/recordings/cust/c-50mb.wav')!;
    expect(item).toMatchObject({ id: ref.fileId, size, mimeType: 'audio/wav' });
    expect(item.links).toEqual([expect.objectContaining({ type: 'view', scope: 'anonymous', webUrl: ref.url })]);
    expect(ref.etag).toBe(item.sha256.toUpperCase());
    expect(await emu.store.sha256(ref.fileId)).toBe(recordingSha256(14, size));
    expect((emu.stats.byRoute.get('PUT /up/:id') ?? 0) - puts0).toBe(Math.ceil(size / (12 * KIB320)));
    expect(emu.store.sessions()).toEqual([]);
    expect(heapMb).toBeLessThan(16);
    expect(rssMb).toBeLessThan(45);
  }, 60_000);

  it('checks byte ranges: 202 with nextExpectedRanges, 416 for an overlap or a gap, 400 off 320 KiB, 401 with Authorization on the uploadUrl', async () => {
    const url = await session();
    const total = 3 * KIB320 + 100;
    const put = (range: string, bytes: number, headers: Record<string, string> = {}) => fetch(url, { method: 'PUT', headers: { 'content-range': range, ...headers }, body: Buffer.alloc(bytes, 3) });
    const first = await put(`bytes 0-${KIB320 - 1}/${total}`, KIB320);
    expect(first.status).toBe(202);
    expect((await first.json()).nextExpectedRanges).toEqual([`${KIB320}-${total - 1}`]);
    const again = await put(`bytes 0-${KIB320 - 1}/${total}`, KIB320);
    expect(again.status).toBe(416);
    expect(await again.json()).toMatchObject({ error: { code: 'invalidRange', message: 'The uploaded fragment overlaps with data that has already been received.' } });
    const gap = await put(`bytes ${2 * KIB320}-${3 * KIB320 - 1}/${total}`, KIB320);
    expect(gap.status).toBe(416);
    const odd = await put(`bytes ${KIB320}-${KIB320 + 999}/${total}`, 1000);
    expect(odd.status).toBe(400);
    expect((await odd.json()).error.message).toMatch(/multiple of 320 KiB/);
    const withAuth = await put(`bytes ${KIB320}-${2 * KIB320 - 1}/${total}`, KIB320, { authorization: `Bearer ${TOKEN}` });
    expect(withAuth.status).toBe(401);
    const status = await (await fetch(url)).json();
    expect(status.nextExpectedRanges).toEqual([`${KIB320}-${total - 1}`]);
    const rest = await put(`bytes ${KIB320}-${total - 1}/${total}`, total - KIB320);
    expect(rest.status).toBe(201);
    expect(await rest.json()).toMatchObject({ name: 'raw.bin', size: total, file: { mimeType: 'application/octet-stream' } });
    expect((await fetch(url, { method: 'PUT', headers: { 'content-range': 'bytes 0-0/1' }, body: 'x' })).status).toBe(404);
  });

  it('the same path again replaces the file (a retried run) instead of adding a second; an existing link answers 200', async () => {
    const a = await uploadToOnedrive(call(), { key: 'same.wav', body: recordingStream(5, 10_000), size: 10_000, linkScope: 'organization' });
    const b = await uploadToOnedrive(call(), { key: 'same.wav', body: recordingStream(5, 10_000), size: 10_000, linkScope: 'organization' });
    expect(b.fileId).toBe(a.fileId);
    expect(b.url).toBe(a.url);
    expect(emu.store.items().filter((i) => i.name === 'same.wav')).toHaveLength(1);
    expect(emu.store.item(a.fileId)!.links).toEqual([expect.objectContaining({ scope: 'organization' })]);
  });

  it('a bad token is a clear connection error naming OneDrive', async () => {
    const err = await uploadToOnedrive(call(conn({ token: 'wrong' })), { key: 'bad.wav', body: recordingStream(1, 1000), size: 1000 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'connection_auth' });
    expect(err.message).toMatch(/^OneDrive rejected the credentials: reconnect OneDrive \(InvalidAuthenticationToken/);
    expect(emu.store.byPath('Patchbay/bad.wav')).toBeUndefined();
  });

  it('waits out 429 + Retry-After, also on the uploadUrl; refreshes an expired OAuth token', async () => {
    emu.throttleNext(2, 1);
    const t0 = Date.now();
    const ref = await uploadToOnedrive(call(), { key: 'throttled.wav', body: recordingStream(2, 5 * 1024 * 1024), size: 5 * 1024 * 1024 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(await emu.store.sha256(ref.fileId)).toBe(recordingSha256(2, 5 * 1024 * 1024));
    saved.length = 0;
    const o = await uploadToOnedrive(call(conn({ accessToken: 'expired', refreshToken: 'M.rt-good', clientId: 'ms-app', clientSecret: 'ms-secret' })), { key: 'oauth.wav', body: recordingStream(3, 5000), size: 5000 });
    expect(o.size).toBe(5000);
    expect(saved.at(-1)).toMatchObject({ accessToken: expect.stringMatching(/^emu\./), refreshToken: 'M.rt-good' });
  }, 30_000);
});
