// The Dropbox emulator driven by Dropbox's own JavaScript SDK (`dropbox`), unchanged: its upload session calls
// (start, append_v2, finish with the Dropbox-API-Arg header), shared links, and Dropbox's errors as
// DropboxResponseErrors. The SDK builds only https URLs (https://{domain}/2/…); its own knobs point it here:
// `domain` is the emulator's host, and its `fetch` option takes the plain-http loopback connection.
import { Dropbox } from 'dropbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingSha256, recordingStream } from '../phone-system/emulator/recordings';
import { startDropboxEmulator, type DropboxEmulator } from './emulator';

const TOKEN = 'dbx-sdk-token';
let emu: DropboxEmulator;

const sdk = (accessToken: string) => new Dropbox({
  accessToken, domain: new URL(emu.url).host, domainDelimiter: '',
  fetch: ((url: string, init: RequestInit) => fetch(url.replace(/^https:/, 'http:'), init)) as typeof fetch,
});

async function bytes(seed: number, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of recordingStream(seed, size)) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
}

beforeAll(async () => { emu = await startDropboxEmulator({ token: TOKEN }); });
afterAll(async () => { await emu?.close(); });

describe('Dropbox emulator with the Dropbox SDK', () => {
  it('start, append_v2, finish: a recording in three chunks, byte-identical, then a shared link (and the same one again)', async () => {
    const dbx = sdk(TOKEN);
    const all = await bytes(41, 9 * 1024 * 1024 + 3);
    const chunk = 4 * 1024 * 1024;
    const start = await dbx.filesUploadSessionStart({ close: false, contents: all.subarray(0, chunk) });
    const cursor = { session_id: start.result.session_id, offset: chunk };
    await dbx.filesUploadSessionAppendV2({ cursor, close: false, contents: all.subarray(chunk, 2 * chunk) });
    const done = await dbx.filesUploadSessionFinish({ cursor: { ...cursor, offset: 2 * chunk }, commit: { path: '/SDK/recording.wav', mode: { '.tag': 'add' }, autorename: true }, contents: all.subarray(2 * chunk) });
    expect(done.result).toMatchObject({ name: 'recording.wav', path_display: '/SDK/recording.wav', size: all.length });
    expect(await emu.store.sha256('/SDK/recording.wav')).toBe(recordingSha256(41, all.length));
    const link = await dbx.sharingCreateSharedLinkWithSettings({ path: '/SDK/recording.wav' });
    expect(link.result.url).toContain(`${emu.url}/s/`);
    const again = await dbx.sharingCreateSharedLinkWithSettings({ path: '/SDK/recording.wav' }).catch((e) => e);
    expect(again.status).toBe(409);
    expect(again.error.error).toMatchObject({ '.tag': 'shared_link_already_exists', shared_link_already_exists: { metadata: { url: link.result.url } } });
  });

  it('a wrong offset is a 409 incorrect_offset the SDK hands on with the correct offset; a bad token a 401', async () => {
    const dbx = sdk(TOKEN);
    const start = await dbx.filesUploadSessionStart({ close: false, contents: Buffer.alloc(100) });
    const e = await dbx.filesUploadSessionAppendV2({ cursor: { session_id: start.result.session_id, offset: 50 }, close: false, contents: Buffer.alloc(10) }).catch((x) => x);
    expect(e.status).toBe(409);
    expect(e.error).toMatchObject({ error_summary: expect.stringMatching(/^incorrect_offset\//), error: { '.tag': 'incorrect_offset', correct_offset: 100 } });
    const bad = await sdk('wrong').usersGetCurrentAccount().catch((x) => x);
    expect(bad.status).toBe(401);
    expect(bad.error).toMatchObject({ error: { '.tag': 'invalid_access_token' } });
  });
});
