// Runs keep connection health current: a real flow with a HubSpot step, run through the engine host on a
// real database against the HubSpot emulator, marks the connection OK, then broken in plain words once the
// token stops working.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepRecord } from '@/engine';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';
import { hubspotLookupFlow } from '../testing/flows';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { healthFromSteps } from './connection-health';
import { saveConnection } from './connections';
import { EngineHost } from './host';

const step = (blockId: string, status: StepRecord['status'], code?: string, input: unknown = null): StepRecord => ({
  seq: 0, nodeId: blockId, blockId, status, input, output: null, port: null, startedAt: '', durationMs: 1, ...(code ? { error: { code, message: code } } : {}),
});

describe('healthFromSteps', () => {
  it('marks connectors whose steps succeeded OK and connection_auth failures broken (failure wins)', () => {
    const h = healthFromSteps([
      step('trigger.webhook', 'succeeded'),
      // Generic crm.* steps count for the CRM their crm param named.
      step('crm.findContactByPhone', 'succeeded', undefined, { crm: 'hubspot', phone: '+1' }),
      step('crm.logCall', 'failed', 'connection_auth', { crm: 'hubspot' }),
      step('hubspot.listAllIds', 'succeeded'),
      step('pipedrive.listContactsChanged@1', 'succeeded'),
      step('crm.logCall', 'failed', 'upstream_error', { crm: 'salesforce' }),
    ]);
    expect([...h.keys()].sort()).toEqual(['hubspot', 'pipedrive']);
    expect(h.get('hubspot')).toMatchObject({ ok: false, error: { code: 'connection_auth' } });
    expect(h.get('pipedrive')).toEqual({ ok: true });
  });
});

describe('connection health from runs', () => {
  let db: ScratchDb;
  let emu: HubspotEmulator;
  let host: EngineHost;
  let customer: { id: string; defaultCountry: string };
  let vendorId: string;
  const key = randomBytes(32);
  const flow = hubspotLookupFlow();

  const row = async () => (await db.sql<{ status: string; last_success_at: unknown; last_error: string | null }[]>`select status, last_success_at, last_error from connections where customer_id = ${customer.id}`)[0];
  const until = async (pred: () => Promise<boolean>) => { for (let i = 0; i < 100 && !(await pred()); i++) await new Promise((r) => setTimeout(r, 20)); };
  const run = () => host.execute({ vendorId, customer, flowId: null, flowVersion: null, compiled: flow, options: {}, trigger: { phone: '+1 202 555 0100' }, recordNow: true });

  beforeAll(async () => {
    db = await createScratchDb('pb_conn_health');
    const seeded = await seedVendor(db.sql, 'health');
    vendorId = seeded.vendorId;
    customer = { id: seeded.customerId, defaultCountry: 'US' };
    emu = await startHubspotEmulator({ contacts: 20, token: 'good-token' });
    host = new EngineHost({ sql: db.sql, encryptionKey: key, flowTimeoutMs: 10_000, allowPrivateHosts: true });
    await saveConnection(db.sql, key, { customerId: customer.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: emu.url, credentials: { token: 'good-token' } });
  });

  afterAll(async () => { await host?.close(); await emu?.close(); await db?.drop(); });

  it('a successful HubSpot step marks the connection OK', async () => {
    expect((await row()).status).toBe('unknown');
    expect((await run()).status).toBe('succeeded');
    await until(async () => (await row()).status === 'ok');
    expect(await row()).toMatchObject({ status: 'ok', last_error: null });
    expect((await row()).last_success_at).not.toBeNull();
  });

  it('a rejected token marks it broken, in plain words', async () => {
    await saveConnection(db.sql, key, { customerId: customer.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: emu.url, credentials: { token: 'revoked-token' } });
    await db.sql`update connections set status = 'ok' where customer_id = ${customer.id}`;
    const out = await run();
    expect(out.status).toBe('failed');
    expect(out.error?.code).toBe('connection_auth');
    await until(async () => (await row()).status === 'error');
    expect(await row()).toMatchObject({ status: 'error', last_error: 'HubSpot rejected the token: reconnect HubSpot' });
  });
});
