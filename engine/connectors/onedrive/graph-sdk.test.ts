// The OneDrive emulator driven by Microsoft's own Graph SDK (@microsoft/microsoft-graph-client), unchanged: Client
// with the emulator as its baseUrl, LargeFileUploadTask's createUploadSession and slice-by-slice upload to the
// pre-authenticated uploadUrl (through a client without the token: Graph may refuse one there), createLink and get
// through the fluent API, Graph errors as GraphErrors.
import { Client, FileUpload, LargeFileUploadTask, StreamUpload, type GraphError } from '@microsoft/microsoft-graph-client';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingSha256, recordingStream } from '../phone-system/emulator/recordings';
import { startOnedriveEmulator, type OnedriveEmulator } from './emulator';

const TOKEN = 'eyJ0eXAi.graph-sdk-token';
let emu: OnedriveEmulator;
let client: Client;

beforeAll(async () => {
  emu = await startOnedriveEmulator({ token: TOKEN });
  // The SDK's auth middleware adds the token to https Graph (or custom https) hosts only; the emulator is plain
  // http on loopback, so the token rides in the client's fetchOptions, the SDK's own knob for extra headers.
  client = Client.init({ baseUrl: emu.url, defaultVersion: 'v1.0', fetchOptions: { headers: { authorization: `Bearer ${TOKEN}` } }, authProvider: (done) => done(null, TOKEN) });
});
afterAll(async () => { await emu?.close(); });

describe('OneDrive emulator with the Microsoft Graph SDK', () => {
  /**
   * The client for the session's uploadUrl: without the token (Graph may refuse one there). The SDK takes only
   * https URLs as absolute, so the emulator's http uploadUrl is handed over as a path on a client based at it.
   */
  const uploader = () => Client.init({ baseUrl: emu.url, defaultVersion: '', authProvider: (done) => done(null, '') });
  const onUploader = <T extends { url: string }>(s: T): T => ({ ...s, url: new URL(s.url).pathname });

  it('LargeFileUploadTask uploads a buffer in 320 KiB-multiple slices and completes with the DriveItem', async () => {
    const bytes = Buffer.alloc(5 * 320 * 1024 + 777);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
    const session = await LargeFileUploadTask.createUploadSession(client, '/me/drive/root:/sdk/buffer.bin:/createUploadSession', { item: { '@microsoft.graph.conflictBehavior': 'rename' } });
    const task = new LargeFileUploadTask(uploader(), new FileUpload(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer, 'buffer.bin', bytes.length), onUploader(session), { rangeSize: 2 * 320 * 1024 });
    const result = await task.upload();
    const item = result.responseBody as { id: string; name: string; size: number; file: { hashes: { sha1Hash: string } } };
    expect(item).toMatchObject({ name: 'buffer.bin', size: bytes.length });
    expect(item.file.hashes.sha1Hash).toBe(createHash('sha1').update(bytes).digest('hex').toUpperCase());
    expect(emu.stats.byRoute.get('PUT /up/:id')).toBe(3);
    const got = await client.api(`/me/drive/items/${item.id}`).get();
    expect(got).toMatchObject({ id: item.id, size: bytes.length, parentReference: { path: '/drive/root:/sdk' } });
    const link = await client.api(`/me/drive/items/${item.id}/createLink`).post({ type: 'view', scope: 'anonymous' });
    expect(link).toMatchObject({ roles: ['read'], link: { type: 'view', scope: 'anonymous', webUrl: expect.stringContaining(emu.url) } });
  });

  it('StreamUpload: a stream of a recording goes up slice by slice and is byte-identical', async () => {
    const size = 3 * 1024 * 1024 + 5;
    const session = await LargeFileUploadTask.createUploadSession(client, '/me/drive/root:/sdk/stream.wav:/createUploadSession', { item: { '@microsoft.graph.conflictBehavior': 'replace' } });
    const task = new LargeFileUploadTask(uploader(), new StreamUpload(recordingStream(21, size), 'stream.wav', size), onUploader(session), { rangeSize: 320 * 1024 * 4 });
    const result = await task.upload();
    const id = (result.responseBody as { id: string }).id;
    expect(emu.store.item(id)).toMatchObject({ name: 'stream.wav', size, mimeType: 'audio/wav' });
    expect(await emu.store.sha256(id)).toBe(recordingSha256(21, size));
  });

  it('errors come back as GraphErrors with Graph\'s codes: a bad token, a missing item', async () => {
    const bad = Client.init({ baseUrl: emu.url, fetchOptions: { headers: { authorization: 'Bearer wrong' } }, authProvider: (done) => done(null, 'wrong') });
    const e1 = await bad.api('/me/drive').get().catch((e) => e as GraphError);
    expect(e1).toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });
    const e2 = await client.api('/me/drive/items/01NOPE').get().catch((e) => e as GraphError);
    expect(e2).toMatchObject({ statusCode: 404, code: 'itemNotFound' });
  });
});
