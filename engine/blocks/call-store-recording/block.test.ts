// call.storeRecording with each storage: the recording streamed from the phone-system emulator into the chosen
// storage's emulator (the connection found by the storage's id, as for S3), kept on the call session with its
// link; a second run for the same recording reuses it (no second upload); another storage than the stored one
// stores anew; a missing connection names the storage to connect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '../../connectors/phone-system/emulator';
import { startDropboxEmulator, type DropboxEmulator } from '../../connectors/dropbox/emulator';
import { startGdriveEmulator, type GdriveEmulator } from '../../connectors/gdrive/emulator';
import { startBoxEmulator, type BoxEmulator } from '../../connectors/box/emulator';
import { startOnedriveEmulator, type OnedriveEmulator } from '../../connectors/onedrive/emulator';
import { createMemoryCalls } from '../../testing/memory-calls';
import { createTestContext } from '../../testing/run-fixture';
import { callStoreRecording } from './block';

const PB = 'pb-token';
const ST = 'storage-token';
let pb: PhoneSystemEmulator;
let dbx: DropboxEmulator;
let gd: GdriveEmulator;
let bx: BoxEmulator;
let od: OnedriveEmulator;

beforeAll(async () => {
  [pb, dbx, gd, bx, od] = await Promise.all([startPhoneSystemEmulator({ token: PB }), startDropboxEmulator({ token: ST }), startGdriveEmulator({ token: ST }), startBoxEmulator({ token: ST }), startOnedriveEmulator({ token: ST })]);
});
afterAll(async () => { await Promise.all([pb?.close(), dbx?.close(), gd?.close(), bx?.close(), od?.close()]); });

function setup(callId: string, bytes: number, connected: string[] = ['dropbox', 'gdrive', 'box', 'onedrive']) {
  const calls = createMemoryCalls();
  const url = pb.store.addRecording(`rec_${callId}`, bytes);
  calls.event({ event: 'call.ended', callId, direction: 'inbound', from: '+14155550100', to: '+14155550199', startedAt: new Date().toISOString(), recordingUrl: url });
  const urls: Record<string, string> = { dropbox: dbx.url, gdrive: gd.url, box: bx.url, onedrive: od.url };
  const connections: Record<string, { id: string; system: string; baseUrl: string; credentials: Record<string, unknown> }> = {
    phonesystem: { id: 'pb', system: 'phonesystem', baseUrl: pb.url, credentials: { token: PB } },
  };
  for (const s of connected) connections[s] = { id: s, system: s, baseUrl: urls[s], credentials: { token: ST } };
  const ctx = createTestContext({ calls, connections });
  return { ctx, calls, url };
}

const params = (callId: string, storage: string) => callStoreRecording.params.parse({ callId, storage });

describe('call.storeRecording', () => {
  it.each(['dropbox', 'gdrive', 'box', 'onedrive'] as const)('%s: stores the recording, keeps it on the session, and a second run reuses it', async (storage) => {
    const callId = `call-${storage}`;
    const { ctx, calls, url } = setup(callId, 300_000);
    const first = await callStoreRecording.run(ctx, params(callId, storage), { trigger: {}, nodeId: 'recording' });
    expect(first.port).toBe('stored');
    expect(first.output).toMatchObject({ stored: true, reused: false, system: storage, size: 300_000, contentType: 'audio/wav', source: url, key: expect.stringContaining(`${callId}.wav`) });
    expect(calls.sessions.get(callId)!.records.recording).toMatchObject({ system: storage, url: first.output.url });
    expect(ctx.requestLog.length).toBeGreaterThan(2); // the connector's requests are in the step's log
    const downloads = pb.store.recordings().find((r) => r.id === `rec_${callId}`)!.downloads;
    const again = await callStoreRecording.run(ctx, params(callId, storage), { trigger: {}, nodeId: 'recording' });
    expect(again.output).toMatchObject({ stored: true, reused: true, url: first.output.url });
    expect(pb.store.recordings().find((r) => r.id === `rec_${callId}`)!.downloads).toBe(downloads);
  });

  it('a recording stored in one storage is stored anew when the option names another', async () => {
    const { ctx } = setup('call-switch', 10_000);
    const a = await callStoreRecording.run(ctx, params('call-switch', 'dropbox'), { trigger: {}, nodeId: 'recording' });
    const b = await callStoreRecording.run(ctx, params('call-switch', 'box'), { trigger: {}, nodeId: 'recording' });
    expect(a.output.system).toBe('dropbox');
    expect(b.output).toMatchObject({ system: 'box', reused: false });
  });

  it('without a connection for the storage: a clear error naming it, on the storage param', async () => {
    const { ctx } = setup('call-missing', 10_000, []);
    const err = await callStoreRecording.run(ctx, params('call-missing', 'onedrive'), { trigger: {}, nodeId: 'recording' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'connection_missing', path: ['storage'], message: 'No OneDrive connection for this customer: connect OneDrive to store call recordings, or choose another storage' });
  });

  it('refuses an unknown storage at the edge, naming the field', () => {
    const r = callStoreRecording.params.safeParse({ callId: 'x', storage: 'ftp' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['storage']);
  });
});
