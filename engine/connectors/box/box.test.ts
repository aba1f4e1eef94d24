// Box: the connector's chunked upload session against the emulator over real HTTP — a 50 MB recording in 8 MiB
// parts with flat memory, SHA-1 digests per part and for the file, a shared link; the emulator's answers to a
// wrong range, a wrong digest, a bad token, 429 + Retry-After; small files by the simple upload.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionHandle } from '../../core/define-block';
import { peakMemoryGrowth } from '../../testing/peak-memory';
import { recordingSha256, recordingStream } from '../phone-system/emulator/recordings';
import { startBoxEmulator, type BoxEmulator } from './emulator';
import { uploadToBox } from './upload-file';

const TOKEN = 'box-dev-token';
let emu: BoxEmulator;

const conn = (credentials: Record<string, unknown> = { token: TOKEN }): ConnectionHandle => ({
  id: 'c', system: 'box', baseUrl: emu.url, credentials, saveCredentials: async () => {}, reportHealth: async () => {},
});
const call = (c = conn()) => ({ fetch, conn: c, requestLog: [], http: { backoffMs: 5 } });
const auth = { authorization: `Bearer ${TOKEN}` };
const sha = (b: Buffer) => `sha=${createHash('sha1').update(b).digest('base64')}`;

beforeAll(async () => { emu = await startBoxEmulator({ token: TOKEN }); });
afterAll(async () => { await emu?.close(); });

describe('Box connector and emulator', () => {
  it('uploads a 50 MB recording in an upload session with flat memory and gives it an open shared link', async () => {
    const size = 50 * 1024 * 1024;
    await uploadToBox(call(), { key: 'warm-up.wav', body: recordingStream(1, 21_000_000), size: 21_000_000 });
    const parts0 = emu.stats.byRoute.get('PUT /api/2.0/files/upload_sessions/:id') ?? 0;
    const { result: ref, rssMb, heapMb } = await peakMemoryGrowth(() => uploadToBox(call(), { key: 'recordings/cust/c-50mb.wav', body: recordingStream(13, size), size, contentType: 'audio/wav' }));
    console.log(`Box 50 MB: RSS growth ${rssMb.toFixed(1)} MB, held ${heapMb.toFixed(1)} MB`);
    expect(ref).toMatchObject({ system: 'box', key: '0/c-50mb.wav', size, contentType: 'audio/wav', expiresAt: null });
    const f = emu.store.file(ref.fileId)!;
    expect(f).toMatchObject({ name: 'c-50mb.wav', size, sharedLink: { url: ref.url, access: 'open' } });
    expect(ref.etag).toBe(f.sha1);
    expect(await emu.store.sha256(ref.fileId)).toBe(recordingSha256(13, size));
    expect((emu.stats.byRoute.get('PUT /api/2.0/files/upload_sessions/:id') ?? 0) - parts0).toBe(7); // 6 × 8 MiB + 2 MiB
    expect(emu.store.sessions()).toEqual([]);
    expect(heapMb).toBeLessThan(20);
    expect(rssMb).toBeLessThan(45);
  }, 60_000);

  it('verifies parts: a misaligned range and an overlap are 416, a wrong digest 400 bad_digest; commit checks the file SHA-1', async () => {
    const size = 20_000_000;
    const created = await fetch(`${emu.url}/api/2.0/files/upload_sessions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ folder_id: '0', file_size: size, file_name: 'raw.bin' }) });
    expect(created.status).toBe(201);
    const s = await created.json();
    expect(s).toMatchObject({ type: 'upload_session', part_size: 8 * 1024 * 1024, total_parts: 3 });
    const part = Buffer.alloc(s.part_size, 1);
    const put = (range: string, body: Buffer, digest = sha(body)) => fetch(s.session_endpoints.upload_part, { method: 'PUT', headers: { ...auth, 'content-range': range, digest, 'content-type': 'application/octet-stream' }, body: new Uint8Array(body) });
    const misaligned = await put(`bytes 1000-${1000 + s.part_size - 1}/${size}`, part);
    expect(misaligned.status).toBe(416);
    const bad = await put(`bytes 0-${s.part_size - 1}/${size}`, part, sha(Buffer.from('other')));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: 'error', code: 'bad_digest' });
    const ok = await put(`bytes 0-${s.part_size - 1}/${size}`, part);
    expect(ok.status).toBe(200);
    const { part: p1 } = await ok.json();
    expect(p1).toMatchObject({ offset: 0, size: s.part_size, sha1: createHash('sha1').update(part).digest('hex') });
    const again = await put(`bytes 0-${s.part_size - 1}/${size}`, part);
    expect(again.status).toBe(416);
    expect(await again.json()).toMatchObject({ code: 'range_overlaps_existing_part' });
    const commit = await fetch(s.session_endpoints.commit, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', digest: sha(part) }, body: JSON.stringify({ parts: [p1] }) });
    expect(commit.status).toBe(400);
    expect((await commit.json()).message).toMatch(/cover 8388608 of 20000000/);
    expect((await fetch(s.session_endpoints.abort, { method: 'DELETE', headers: auth })).status).toBe(204);
    const small = await fetch(`${emu.url}/api/2.0/files/upload_sessions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ folder_id: '0', file_size: 1000, file_name: 'small.bin' }) });
    expect(small.status).toBe(400);
  });

  it('stores a small recording with the simple upload; the same name again is the same file (a retried run), never a second', async () => {
    const ref = await uploadToBox(call(), { key: 'small.wav', body: recordingStream(4, 300_000), size: null, linkScope: 'organization' });
    expect(emu.store.file(ref.fileId)).toMatchObject({ size: 300_000, sharedLink: { access: 'company' } });
    expect(await emu.store.sha256(ref.fileId)).toBe(recordingSha256(4, 300_000));
    const again = await uploadToBox(call(), { key: 'small.wav', body: recordingStream(4, 300_000), size: 300_000 });
    expect(again.fileId).toBe(ref.fileId);
    expect(emu.store.files().filter((f) => f.name === 'small.wav')).toHaveLength(1);
  });

  it('a bad token is a clear connection error naming Box', async () => {
    const err = await uploadToBox(call(conn({ token: 'wrong' })), { key: 'bad.wav', body: recordingStream(1, 1000), size: 1000 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'connection_auth' });
    expect(err.message).toMatch(/^Box rejected the credentials: reconnect Box/);
    expect(emu.store.files().some((f) => f.name === 'bad.wav')).toBe(false);
  });

  it('waits out 429 + Retry-After during the parts', async () => {
    emu.throttleNext(2, 1);
    const t0 = Date.now();
    const ref = await uploadToBox(call(), { key: 'throttled.wav', body: recordingStream(2, 20_000_000), size: 20_000_000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(emu.stats.rateLimited).toBeGreaterThanOrEqual(2);
    expect(await emu.store.sha256(ref.fileId)).toBe(recordingSha256(2, 20_000_000));
  }, 30_000);
});
