// Flows saved before the CRM contract, with per-CRM block ids and their output fields, load, migrate to the
// generic crm.* blocks and run: the same answers, one native call log each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFlow } from '../core/compile-flow';
import { registry, migrateStoredFlow } from '../registry';
import { runFixture } from '../testing/run-fixture';
import { syntheticPerson } from './kit/synthetic';
import { startHubspotEmulator, type HubspotEmulator } from './hubspot/emulator';
import { startSalesforceEmulator, type SalesforceEmulator } from './salesforce/emulator';
import { startPipedriveEmulator } from './pipedrive/emulator';

const TOKEN = 'legacy-token-0123456789';
let hs: HubspotEmulator;
let sf: SalesforceEmulator;
let pd: Awaited<ReturnType<typeof startPipedriveEmulator>>;
beforeAll(async () => {
  [hs, sf, pd] = await Promise.all([
    startHubspotEmulator({ contacts: 10, companies: 2, token: TOKEN }),
    startSalesforceEmulator({ contacts: 10, companies: 2, token: TOKEN }),
    startPipedriveEmulator({ contacts: 10, companies: 2, token: TOKEN }),
  ]);
});
afterAll(async () => { await Promise.all([hs?.close(), sf?.close(), pd?.close()]); });

const p2 = syntheticPerson(2);

function oldFlow(crm: 'hubspot' | 'salesforce' | 'pipedrive') {
  const log = {
    hubspot: { type: 'hubspot.logCall', params: { contactId: '=steps.lookup.contact.externalId', direction: 'inbound', status: 'canceled', durationSec: 30, fromNumber: '=trigger.from', title: 'Legacy call' } },
    salesforce: { type: 'salesforce.logCall@1', params: { contactId: '=steps.lookup.contact.externalId', direction: 'inbound', status: 'no-answer', startedAt: '2026-03-02T09:30:00Z', from: '=trigger.from', callId: 'legacy-1', disposition: 'Custom' } },
    pipedrive: { type: 'pipedrive.logCall', params: { personId: '=steps.lookup.contact.externalId', direction: 'inbound', status: 'no_answer', startedAt: '2026-03-02T09:30:00Z', durationSec: 30, from: '=trigger.from' } },
  }[crm];
  const idField = { hubspot: 'callId', salesforce: 'taskId', pipedrive: 'activityId' }[crm];
  return {
    schemaVersion: 1, name: `Old ${crm} flow`, automation: 'call_logging',
    nodes: [
      { id: 'trigger', type: 'trigger.webhook' },
      { id: 'lookup', type: `${crm}.findContactByPhone`, params: { phone: '=trigger.from' } },
      { id: 'log', ...log },
      { id: 'done', type: 'respond.json', params: { body: { logged: `=steps.log.${idField}`, who: '=steps.lookup.contact.lastName', crmId: '=steps.lookup.contact.externalId', link: '=steps.lookup.contact.crmUrl', phones: '=steps.lookup.contact.phones' } } },
      { id: 'unknown', type: 'respond.json', params: { body: { logged: null } } },
    ],
    edges: [
      { id: 'a', source: 'trigger', target: 'lookup' },
      { id: 'b', source: 'lookup', sourcePort: 'found', target: 'log' },
      { id: 'c', source: 'log', target: 'done' },
      { id: 'd', source: 'lookup', sourcePort: 'notFound', target: 'unknown' },
    ],
  };
}

describe('flows saved with the per-CRM block ids', () => {
  it('migrate to crm.* blocks, mapping params, statuses and the expressions that read their outputs', () => {
    const { flow, changes } = migrateStoredFlow(oldFlow('salesforce'));
    expect(changes).toEqual([
      'lookup: salesforce.findContactByPhone → crm.findContactByPhone',
      'log: salesforce.logCall → crm.logCall (not carried over: disposition)',
    ]);
    const nodes = Object.fromEntries(flow.nodes.map((n) => [n.id, n]));
    expect(nodes.lookup).toMatchObject({ type: 'crm.findContactByPhone', params: { crm: 'salesforce', phone: '=trigger.from' } });
    expect(nodes.log).toMatchObject({ type: 'crm.logCall', params: { crm: 'salesforce', contactId: '=steps.lookup.contact.id', status: 'missed', callId: 'legacy-1' } });
    expect(nodes.done.params).toEqual({ body: { logged: '=steps.log.ref.id', who: '=steps.lookup.contact.lastName', crmId: '=steps.lookup.contact.id', link: '=steps.lookup.contact.url', phones: '=steps.lookup.contact.phones.number' } });
    expect(validateFlow(oldFlow('salesforce'), registry)).toMatchObject({ issues: [], migrations: changes });
    // Pipedrive took numeric ids; the contract takes strings.
    const pd = migrateStoredFlow({ nodes: [{ id: 'u', type: 'pipedrive.updateCallLog', params: { activityId: 42, notes: 'x' } }], edges: [] });
    expect(pd.flow.nodes[0].params).toMatchObject({ crm: 'pipedrive', ref: { system: 'pipedrive', type: 'activity', id: '42' }, notesMode: 'append' });
    // A flow with nothing to migrate is returned as it is.
    const current = { ...flow };
    expect(migrateStoredFlow(current)).toEqual({ flow: current, changes: [] });
  });

  it('run for HubSpot, Salesforce and Pipedrive with the answers they gave before, one native call log each', async () => {
    const urls = { hubspot: hs.url, salesforce: sf.url, pipedrive: pd.url };
    for (const crm of ['hubspot', 'salesforce', 'pipedrive'] as const) {
      const connections = { [crm]: { id: `c-${crm}`, system: crm, baseUrl: urls[crm], credentials: crm === 'pipedrive' ? { apiToken: TOKEN } : { token: TOKEN } } };
      const r = await runFixture(oldFlow(crm), { from: p2.e164 }, { connections });
      expect(r.status, `${crm}: ${JSON.stringify(r.error)}`).toBe('succeeded');
      expect(r.steps.map((s) => s.blockId)).toEqual(['trigger.webhook', 'crm.findContactByPhone', 'crm.logCall', 'respond.json']);
      const body = r.response!.body as { logged: string; who: string; crmId: string; link: string; phones: string[] };
      expect(body.who).toBe(p2.lastName);
      expect(body.link).toMatch(/^https?:\/\//);
      expect(body.phones).toContain(p2.phoneAsTyped);
      if (crm === 'hubspot') {
        expect(hs.store.calls()).toHaveLength(1);
        expect(hs.store.calls()[0]).toMatchObject({ id: body.logged, properties: { hs_call_status: 'CANCELED', hs_call_title: 'Legacy call' }, associations: { contacts: [body.crmId] } });
      } else if (crm === 'salesforce') {
        expect(sf.store.calls()).toHaveLength(1);
        expect(sf.store.calls()[0]).toMatchObject({ Id: body.logged, CallDisposition: 'Missed', CallObject: 'legacy-1', WhoId: body.crmId });
      } else {
        const calls = [...pd.store.tables.activities.rows.values()].filter((a) => a.type === 'call');
        expect(calls).toHaveLength(1);
        expect(calls[0]).toMatchObject({ id: Number(body.logged), person_id: Number(body.crmId) });
        expect(calls[0].note).toContain('Result: missed');
      }
    }
  });
});
