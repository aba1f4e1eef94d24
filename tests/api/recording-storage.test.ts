// Call recordings stored in Dropbox, Google Drive, Box and OneDrive before the call is logged: the call_logging
// template (engine/fixtures/call-logging.flow.json) with its option recordingStorage, run by the server for a
// HubSpot customer per storage. The phone-system emulator places an answered call with a 50 MB recording; the
// server streams it from the phone system into the storage emulator in chunks, and the HubSpot call engagement
// links the stored copy. The server's memory (its /metrics RSS, sampled during the upload) stays far below the
// recording's size. Short delay (options.delayMinutes).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, baseUrl, db } from './helpers';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import { saveConnection } from '@/lib/engine-host/connections';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { recordingSha256 } from '@/engine/connectors/phone-system/emulator/recordings';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';
import { startDropboxEmulator, type DropboxEmulator } from '@/engine/connectors/dropbox/emulator';
import { startGdriveEmulator, type GdriveEmulator } from '@/engine/connectors/gdrive/emulator';
import { startBoxEmulator, type BoxEmulator } from '@/engine/connectors/box/emulator';
import { startOnedriveEmulator, type OnedriveEmulator } from '@/engine/connectors/onedrive/emulator';
import { syntheticPerson } from '@/engine/connectors/kit/synthetic';

const TOKEN = 'crm-token-storage';
const PB_TOKEN = 'pb-token-storage';
const STORE_TOKEN = 'storage-token-e2e';
const DELAY_MIN = 0.05; // 3 s
const SIZE = 50 * 1024 * 1024;

type Storage = 'dropbox' | 'gdrive' | 'box' | 'onedrive';
const STORAGES: Storage[] = ['dropbox', 'gdrive', 'box', 'onedrive'];

let hs: HubspotEmulator;
let pb: PhoneSystemEmulator;
let dbx: DropboxEmulator;
let gd: GdriveEmulator;
let bx: BoxEmulator;
let od: OnedriveEmulator;

interface Tenant { ext: string; id: string; secret: string; hook: string }
const tenants = {} as Record<Storage | 'missing', Tenant>;
const caller = syntheticPerson(0);
let agentEmail = '';

beforeAll(async () => {
  [hs, pb, dbx, gd, bx, od] = await Promise.all([
    startHubspotEmulator({ contacts: 5, companies: 2, users: 3, token: TOKEN }),
    startPhoneSystemEmulator({ token: PB_TOKEN, webhookRetryDelayMs: 50 }),
    startDropboxEmulator({ token: STORE_TOKEN }),
    startGdriveEmulator({ token: STORE_TOKEN, domain: 'acme.test' }),
    startBoxEmulator({ token: STORE_TOKEN }),
    startOnedriveEmulator({ token: STORE_TOKEN }),
  ]);
  agentEmail = hs.store.owners[1].email;
  const url: Record<Storage, string> = { dropbox: dbx.url, gdrive: gd.url, box: bx.url, onedrive: od.url };
  const sql = db();
  const key = Buffer.from(JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).encryptionKey, 'hex');
  const definition = JSON.parse(fs.readFileSync(path.resolve('engine/fixtures/call-logging.flow.json'), 'utf8'));
  let flowId = '';
  for (const storage of [...STORAGES, 'missing'] as const) {
    const ext = `rec-${storage}-${Math.random().toString(36).slice(2, 7)}`;
    expect((await api('/api/v1/customers', { body: { externalId: ext, name: `Recordings in ${storage}`, defaultCountry: 'US' } })).status).toBe(201);
    const [c] = await sql`select c.id, c.vendor_id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = ${ext}`;
    const secret = `whsec_${storage}_${Math.random().toString(36).slice(2)}`;
    await saveConnection(sql, key, { customerId: c.id, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: PB_TOKEN, webhookSecret: secret } });
    await saveConnection(sql, key, { customerId: c.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: hs.url, credentials: { token: TOKEN } });
    // The storage connection, stored encrypted like every other; "missing" has none.
    if (storage !== 'missing') await saveConnection(sql, key, { customerId: c.id, system: storage, name: storage, authKind: 'apiKey', baseUrl: url[storage], credentials: { token: STORE_TOKEN } });
    if (!flowId) {
      const [existing] = await sql<{ id: string }[]>`select id from flows where vendor_id = ${c.vendor_id} and automation = ${(definition as { automation: string }).automation} and deleted_at is null`;
      const saved = await saveFlowVersion(sql, { vendorId: c.vendor_id, flowId: existing?.id, definition });
      flowId = saved.flowId;
      await publishFlow(sql, c.vendor_id, flowId, saved.version);
    }
    // The same template for every storage: only the integration's options differ.
    await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId, options: { crm: 'hubspot', delayMinutes: DELAY_MIN, storeRecordings: true, recordingStorage: storage === 'missing' ? 'box' : storage } });
    tenants[storage] = { ext, id: c.id, secret, hook: `${baseUrl()}/api/v1/hooks/${c.slug}/${ext}/phone-system` };
  }
  const hsContact = hs.store.list('contacts').find((r) => r.properties.firstName === caller.firstName || r.properties.firstname === caller.firstName)!;
  pb.store.add({ externalId: hsContact.id, source: 'hubspot', firstName: caller.firstName, lastName: caller.lastName, phones: [{ number: caller.e164, type: 'work' }] });
}, 120_000);

afterAll(async () => { await Promise.all([hs?.close(), pb?.close(), dbx?.close(), gd?.close(), bx?.close(), od?.close()]); });

async function session(t: Tenant, callId: string) {
  const [s] = await db()`select state, call, records, run_ids from call_sessions where customer_id = ${t.id} and call_id = ${callId}`;
  return s as { state: string; call: any; records: any; run_ids: string[] } | undefined;
}

/** Waits until every run the call started has finished; returns the session and the runs. */
async function settled(t: Tenant, callId: string, timeoutMs = 90_000) {
  const t0 = Date.now();
  for (;;) {
    const s = await session(t, callId);
    if (s && (s.records?.log || s.records?.task || s.run_ids?.length)) {
      const runs = await db()`select status, error from runs where id = any(${s.run_ids}::uuid[])`;
      if (runs.length && runs.every((r) => r.status === 'succeeded' || r.status === 'failed') && (s.records?.log || runs.some((r) => r.status === 'failed'))) return { s, runs };
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`call ${callId} did not settle: ${JSON.stringify(s).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The server's resident memory, from its Prometheus metrics. */
async function serverRss(): Promise<number> {
  const text = await (await fetch(`${baseUrl()}/metrics`, { headers: { authorization: `Bearer ${inject('metricsToken')}` } })).text();
  return Number(/patchbay_process_resident_memory_bytes (\d+)/.exec(text)?.[1]);
}

/** Where the storage emulator keeps the call's recording: its size, content sha256 and the link it gave. */
async function storedCopy(storage: Storage, t: Tenant, callId: string): Promise<{ size: number; sha256: string; count: number }> {
  const name = `${callId}.wav`;
  if (storage === 'dropbox') {
    const f = dbx.store.files().filter((x) => x.name === name);
    return { size: f[0].size, sha256: await dbx.store.sha256(f[0].pathDisplay), count: f.length };
  }
  if (storage === 'gdrive') {
    const f = gd.store.files().filter((x) => x.name === name);
    expect(f[0].permissions).toContainEqual({ id: 'anyoneWithLink', type: 'anyone', role: 'reader' });
    return { size: f[0].size, sha256: await gd.store.sha256(f[0].id), count: f.length };
  }
  if (storage === 'box') {
    const f = bx.store.files().filter((x) => x.name === name);
    expect(f[0].sharedLink?.access).toBe('open');
    return { size: f[0].size, sha256: await bx.store.sha256(f[0].id), count: f.length };
  }
  const f = od.store.items().filter((x) => x.name === name);
  expect(f[0].path).toBe(`Patchbay/recordings/${t.id}/${name}`);
  return { size: f[0].size, sha256: await od.store.sha256(f[0].id), count: f.length };
}

describe('call_logging stores recordings in the chosen storage', () => {
  it.each(STORAGES)('%s: a 50 MB recording is streamed in chunks with flat server memory, then linked in the HubSpot call log', async (storage) => {
    const t = tenants[storage];
    pb.setWebhook({ url: t.hook, secret: t.secret });
    // Warm up (the server's first upload to this storage loads its code and fetch's parser): what is measured is the upload.
    const warm = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail, recordingBytes: 5 * 1024 * 1024 });
    await settled(t, warm.callId);
    const rss0 = await serverRss();
    let peak = rss0;
    let sampling = true;
    const sampler = (async () => { while (sampling) { peak = Math.max(peak, await serverRss()); await new Promise((r) => setTimeout(r, 100)); } })();
    const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail, durationSec: 300, recordingBytes: SIZE });
    const { s, runs } = await settled(t, placed.callId);
    sampling = false;
    await sampler;
    const growthMb = (peak - rss0) / 1024 / 1024;
    console.log(`${storage}: server RSS growth during the 50 MB upload ${growthMb.toFixed(1)} MB`);
    expect(runs.filter((r) => r.status === 'failed')).toEqual([]);

    const rec = s.records.recording;
    expect(rec).toMatchObject({ system: storage, size: SIZE, contentType: 'audio/wav', expiresAt: null, source: placed.recordingUrl });
    const copy = await storedCopy(storage, t, placed.callId);
    expect(copy.count).toBe(1); // stored once, whichever runs the call started
    expect(copy.size).toBe(SIZE);
    expect(copy.sha256).toBe(recordingSha256(pb.store.recordings().find((r) => r.id === placed.recordingId)!.seed, SIZE));

    const logs = hs.store.calls().filter((c) => c.properties.hs_call_external_id === placed.callId);
    expect(logs).toHaveLength(1);
    expect(logs[0].properties.hs_call_recording_url).toBe(rec.url);
    expect(s.records.log.ref).toMatchObject({ system: 'hubspot', id: logs[0].id });
    // The recording streamed through: the server never held it (RSS includes the allocator's slack, so the bound is
    // looser than the in-process measure of the connector tests, but far below the 50 MB it would take to buffer).
    expect(growthMb).toBeLessThan(40);
  }, 120_000);

  it('without a connection for the chosen storage the run fails saying what to connect, and no call is logged without its recording', async () => {
    const t = tenants.missing;
    pb.setWebhook({ url: t.hook, secret: t.secret });
    const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail, recordingBytes: 10_000 });
    const { runs } = await settled(t, placed.callId);
    const failed = runs.filter((r) => r.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(JSON.stringify(failed[0].error)).toContain('No Box connection for this customer: connect Box to store call recordings');
    expect(hs.store.calls().filter((c) => c.properties.hs_call_external_id === placed.callId)).toHaveLength(0);
  }, 60_000);
});
