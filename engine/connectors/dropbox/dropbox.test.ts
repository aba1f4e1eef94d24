// Dropbox: the connector's upload session against the emulator over real HTTP — a 50 MB recording in 4 MiB
// chunks with flat memory, its shared link; the emulator's errors (incorrect_offset, bad token, 429 + Retry-After).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionHandle } from '../../core/define-block';
import { peakMemoryGrowth } from '../../testing/peak-memory';
import { recordingSha256, recordingStream } from '../phone-system/emulator/recordings';
import { startDropboxEmulator, type DropboxEmulator } from './emulator';
import { exchangeCode } from '../kit/oauth2';
import { dropboxConnector } from './manifest';
import { uploadToDropbox } from './upload-file';

const TOKEN = 'dbx-test-token';
let emu: DropboxEmulator;
const saved: Record<string, unknown>[] = [];

const conn = (credentials: Record<string, unknown> = { token: TOKEN }): ConnectionHandle => ({
  id: 'c', system: 'dropbox', baseUrl: emu.url, credentials, saveCredentials: async (c) => { saved.push(c); }, reportHealth: async () => {},
});
const call = (c = conn()) => ({ fetch, conn: c, requestLog: [], http: { backoffMs: 5 } });

beforeAll(async () => { emu = await startDropboxEmulator({ token: TOKEN, oauth: { clientId: 'dbx-app', clientSecret: 'dbx-secret' }, refreshTokens: ['rt-good'] }); });
afterAll(async () => { await emu?.close(); });

const arg = (v: unknown) => ({ 'content-type': 'application/octet-stream', authorization: `Bearer ${TOKEN}`, 'dropbox-api-arg': JSON.stringify(v) });

describe('Dropbox connector and emulator', () => {
  it('uploads a 50 MB recording in chunks with flat memory and links it with a shared link', async () => {
    const size = 50 * 1024 * 1024;
    // Warm up (fetch's parser, the emulator's first file): what is measured is the upload.
    await uploadToDropbox(call(), { key: 'warm-up.wav', body: recordingStream(1, 5 * 1024 * 1024), size: null });
    const { result: ref, rssMb, heapMb } = await peakMemoryGrowth(() => uploadToDropbox(call(), { key: 'recordings/cust/c-50mb.wav', body: recordingStream(11, size), size, contentType: 'audio/wav' }));
    console.log(`Dropbox 50 MB: RSS growth ${rssMb.toFixed(1)} MB, held ${heapMb.toFixed(1)} MB`);
    expect(ref).toMatchObject({ system: 'dropbox', key: '/Patchbay/recordings/cust/c-50mb.wav', size, contentType: 'audio/wav', expiresAt: null });
    expect(ref.url).toMatch(new RegExp(`^${emu.url}/s/`));
    expect(ref.etag).toMatch(/^[0-9a-f]{64}$/);
    expect(await emu.store.sha256('/Patchbay/recordings/cust/c-50mb.wav')).toBe(recordingSha256(11, size));
    expect(emu.stats.byRoute.get('POST /2/files/upload_session/append_v2')).toBe(12 + 1); // (warm-up: 1) start + 12 appends of 4 MiB + finish
    expect(emu.store.sessions()).toEqual([]);
    // Held memory (after GC) is about one 4 MiB chunk; a buffered recording would hold all 50 MB. RSS, which also
    // counts the in-process emulator's socket reads and the allocator's slack, stays well below the file too.
    expect(heapMb).toBeLessThan(16);
    expect(rssMb).toBeLessThan(45);
  }, 60_000);

  it('checks cursor offsets: a wrong offset is incorrect_offset with the correct one, an unknown session not_found', async () => {
    const start = await fetch(`${emu.url}/2/files/upload_session/start`, { method: 'POST', headers: arg({ close: false }), body: Buffer.alloc(1000, 1) });
    const { session_id } = await start.json() as { session_id: string };
    const wrong = await fetch(`${emu.url}/2/files/upload_session/append_v2`, { method: 'POST', headers: arg({ cursor: { session_id, offset: 500 } }), body: Buffer.alloc(10) });
    expect(wrong.status).toBe(409);
    expect(await wrong.json()).toMatchObject({ error_summary: expect.stringMatching(/^incorrect_offset\//), error: { '.tag': 'incorrect_offset', correct_offset: 1000 } });
    const fin = await fetch(`${emu.url}/2/files/upload_session/finish`, { method: 'POST', headers: arg({ cursor: { session_id, offset: 10 }, commit: { path: '/x.bin' } }) });
    expect(fin.status).toBe(409);
    expect(await fin.json()).toMatchObject({ error: { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'incorrect_offset', correct_offset: 1000 } } });
    const gone = await fetch(`${emu.url}/2/files/upload_session/append_v2`, { method: 'POST', headers: arg({ cursor: { session_id: 'nope', offset: 0 } }), body: '' });
    expect(await gone.json()).toMatchObject({ error: { '.tag': 'not_found' } });
    const noArg = await fetch(`${emu.url}/2/files/upload_session/append_v2`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream' }, body: '' });
    expect(noArg.status).toBe(400);
    expect(await noArg.text()).toContain('Dropbox-API-Arg');
    expect(emu.store.byPath('/x.bin')).toBeUndefined();
  });

  it('a bad token is a clear connection error naming Dropbox; nothing is stored', async () => {
    const before = emu.store.files().length;
    const err = await uploadToDropbox(call(conn({ token: 'wrong' })), { key: 'bad.wav', body: recordingStream(1, 1000), size: 1000 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'connection_auth' });
    expect(err.message).toMatch(/Dropbox rejected the credentials: reconnect Dropbox \(invalid_access_token/);
    expect(emu.store.files().length).toBe(before);
  });

  it('waits out 429 + Retry-After and stores the file once; a second link is the existing one', async () => {
    emu.throttleNext(2, 1);
    const t0 = Date.now();
    const ref = await uploadToDropbox(call(), { key: 'throttled.wav', body: recordingStream(2, 9 * 1024 * 1024), size: null, chunkSize: 4 * 1024 * 1024 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(emu.stats.rateLimited).toBeGreaterThanOrEqual(2);
    expect(ref.size).toBe(9 * 1024 * 1024);
    expect(await emu.store.sha256('/Patchbay/throttled.wav')).toBe(recordingSha256(2, 9 * 1024 * 1024));
    const again = await fetch(`${emu.url}/2/sharing/create_shared_link_with_settings`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ path: '/Patchbay/throttled.wav' }) });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { '.tag': 'shared_link_already_exists', shared_link_already_exists: { metadata: { url: ref.url } } } });
  }, 30_000);

  it('refreshes an expired OAuth token with the refresh token and saves the new one', async () => {
    saved.length = 0;
    const c = conn({ accessToken: 'expired-token', refreshToken: 'rt-good', clientId: 'dbx-app', clientSecret: 'dbx-secret', expiresAt: Date.now() + 3600_000 });
    const ref = await uploadToDropbox(call(c), { key: 'oauth.wav', body: recordingStream(3, 5000), size: 5000 });
    expect(ref.size).toBe(5000);
    expect(saved.at(-1)).toMatchObject({ accessToken: expect.stringMatching(/^emu\./), refreshToken: 'rt-good' });
    // A name taken: autorename keeps both.
    const second = await uploadToDropbox(call(), { key: 'oauth.wav', body: recordingStream(3, 10), size: 10 });
    expect(second.key).toBe('/Patchbay/oauth (1).wav');
  });

  it('connects with OAuth against the emulator: authorize redirects back with a code, the token endpoint trades it', async () => {
    const oauth = dropboxConnector.auth.find((a) => a.type === 'oauth2')!;
    const ends = oauth.type === 'oauth2' ? oauth.forBaseUrl!(emu.url)! : null;
    const redirect = 'http://127.0.0.1:1/api/oauth/callback';
    const res = await fetch(`${ends!.authorizeUrl}?client_id=dbx-app&redirect_uri=${encodeURIComponent(redirect)}&state=s1&response_type=code`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('s1');
    const tokens = await exchangeCode(fetch, { tokenUrl: ends!.tokenUrl, clientId: 'dbx-app', clientSecret: 'dbx-secret' }, back.searchParams.get('code')!, redirect);
    expect(tokens).toMatchObject({ accessToken: expect.stringMatching(/^emu\./), refreshToken: expect.stringMatching(/^rt\./) });
    const ref = await uploadToDropbox(call(conn({ accessToken: tokens.accessToken })), { key: 'via-oauth.wav', body: recordingStream(6, 2000), size: 2000 });
    expect(ref.size).toBe(2000);
    // A code is good once.
    await expect(exchangeCode(fetch, { tokenUrl: ends!.tokenUrl, clientId: 'dbx-app', clientSecret: 'dbx-secret' }, back.searchParams.get('code')!, redirect)).rejects.toMatchObject({ code: 'connection_auth' });
  });
});
