// User provisioning end to end on the running server: the user_provisioning template against the phone-system and
// HubSpot emulators. On demand, a dry run answers the list of changes and writes nothing, the real run applies them
// once, and a second run has nothing to do; on a schedule, the job engine's automation tick (pg-boss) queues one
// run per interval, which applies an agent's leaving once.
import fs from 'node:fs';
import path from 'node:path';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, db } from './helpers';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import { saveConnection } from '@/lib/engine-host/connections';
import { AUTOMATION_TICK } from '@/lib/jobs/scheduled-automations';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';

let pb: PhoneSystemEmulator;
let hs: HubspotEmulator;
let boss: PgBoss;
const c = { ext: '', id: '', vendorId: '', flowId: '' };

beforeAll(async () => {
  [pb, hs] = await Promise.all([startPhoneSystemEmulator({ token: 'pb-prov' }), startHubspotEmulator({ token: 'hs-prov', users: 5, contacts: 0, companies: 0 })]);
  const sql = db();
  const key = Buffer.from(JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).encryptionKey, 'hex');
  c.ext = `prov-${Math.random().toString(36).slice(2, 8)}`;
  expect((await api('/api/v1/customers', { body: { externalId: c.ext, name: 'Provisioning', defaultCountry: 'US' } })).status).toBe(201);
  const [row] = await sql`select id, vendor_id from customers where external_id = ${c.ext}`;
  c.id = row.id; c.vendorId = row.vendor_id;
  await saveConnection(sql, key, { customerId: c.id, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: 'pb-prov', webhookSecret: 'whsec_provisioning_0123' } });
  await saveConnection(sql, key, { customerId: c.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: hs.url, credentials: { token: 'hs-prov' } });
  const definition = JSON.parse(fs.readFileSync(path.resolve('engine/fixtures/user-provisioning.flow.json'), 'utf8'));
  const [existing] = await sql<{ id: string }[]>`select id from flows where vendor_id = ${c.vendorId} and automation = 'user_provisioning' and deleted_at is null`;
  const saved = await saveFlowVersion(sql, { vendorId: c.vendorId, flowId: existing?.id, definition });
  await publishFlow(sql, c.vendorId, saved.flowId, saved.version);
  c.flowId = saved.flowId;
  // No schedule while the on-demand runs are checked.
  await enableIntegration(sql, { vendorId: c.vendorId, customerId: c.id, flowId: c.flowId, options: { crm: 'hubspot', scheduleEveryMinutes: 0 } });
  boss = new PgBoss({ connectionString: inject('databaseUrl'), schema: 'pgboss', max: 1, supervise: false, schedule: false, migrate: false });
  await boss.start();
}, 120_000);

afterAll(async () => { await boss?.stop({ graceful: false, wait: false }).catch(() => {}); await Promise.all([pb?.close(), hs?.close()]); });

const provision = (body: unknown) => api(`/api/v1/customers/${c.ext}/automations/user_provisioning`, { body });

describe('user_provisioning', () => {
  it('a dry run lists the changes and writes nothing; the real run applies them once; then there is nothing to do', async () => {
    const dry = await provision({});
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, source: 'hubspot', counts: { create: 5, update: 0, deactivate: 0 }, applied: 0 });
    expect(dry.body.changes.map((x: any) => x.email).sort()).toEqual(hs.store.owners.map((o) => o.email.toLowerCase()).sort());
    expect(dry.body.changes[0]).toMatchObject({ action: 'create', fields: { role: 'agent', externalId: 'patchbay:hubspot' } });
    expect(pb.store.users.stats).toEqual({ creates: 0, updates: 0, deactivations: 0 });

    const real = await provision({ dryRun: false });
    expect(real.body).toMatchObject({ dryRun: false, applied: 5, problems: [] });
    expect(real.body.changes).toEqual(dry.body.changes);
    expect(pb.store.users.stats).toEqual({ creates: 5, updates: 0, deactivations: 0 });
    expect(pb.store.users.all().map((u) => [u.email, u.firstName, u.lastName, u.active])).toEqual(hs.store.owners.map((o) => [o.email.toLowerCase(), o.firstName, o.lastName, true]));

    const again = await provision({ dryRun: false });
    expect(again.body).toMatchObject({ changes: [], applied: 0, counts: { unchanged: 5 } });
    expect(pb.store.users.stats.creates).toBe(5);
    // Bad input is named: a dryRun that is not a boolean.
    const bad = await provision({ dryRun: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.path).toEqual(['dryRun']);
  });

  it('scheduled through the job engine: one queued run per interval applies a leaver once', async () => {
    hs.store.owners[1].archived = true;
    await enableIntegration(db(), { vendorId: c.vendorId, customerId: c.id, flowId: c.flowId, options: { crm: 'hubspot', dryRun: false, scheduleEveryMinutes: 60 } });
    await boss.send(AUTOMATION_TICK, {});
    const scheduledRuns = () => db()<{ id: string; status: string; response: any }[]>`select id, status, response from runs where customer_id = ${c.id} and automation = 'user_provisioning' and trigger ->> 'scheduled' = 'true'`;
    const t0 = Date.now();
    let runs = await scheduledRuns();
    while (!(runs.length && runs.every((r) => r.status === 'succeeded' || r.status === 'failed')) && Date.now() - t0 < 30_000) {
      await new Promise((r) => setTimeout(r, 250));
      runs = await scheduledRuns();
    }
    expect(runs.map((r) => r.status)).toEqual(['succeeded']);
    expect(pb.store.users.byEmail(hs.store.owners[1].email)!.active).toBe(false);
    expect(pb.store.users.stats.deactivations).toBe(1);
    // Another tick within the hour queues nothing.
    await boss.send(AUTOMATION_TICK, {});
    const t1 = Date.now();
    while (Date.now() - t1 < 3000) {
      const [j] = await db()`select count(*)::int as n from pgboss.job where name = ${AUTOMATION_TICK} and state in ('created', 'retry', 'active')`;
      if (j.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await scheduledRuns()).toHaveLength(1);
    expect(pb.store.users.stats.deactivations).toBe(1);
  }, 60_000);
});
