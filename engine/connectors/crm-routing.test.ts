// The call_routing template with the live CRM lookup on (options liveCrm + crm): the caller is not in the CDP but
// is in the customer's CRM with an owner, so the rules route the call to the owning agent; a caller with no CRM
// record gets the default queue. Run unchanged for a customer on HubSpot and one on Zoho CRM, against their emulators.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import routing from '../fixtures/call-routing.flow.json';
import { runFixture } from '../testing/run-fixture';
import { startHubspotEmulator, type HubspotEmulator } from './hubspot/emulator';
import { startZohoEmulator, type ZohoEmulator } from './zoho/emulator';

const TOKEN = 'routing-token';
let hub: HubspotEmulator;
let zoho: ZohoEmulator;
beforeAll(async () => {
  [hub, zoho] = await Promise.all([
    startHubspotEmulator({ contacts: 10, companies: 1, users: 3, token: TOKEN }),
    startZohoEmulator({ contacts: 10, companies: 1, users: 3, token: TOKEN }),
  ]);
});
afterAll(async () => { await Promise.all([hub?.close(), zoho?.close()]); });

const createContact = {
  name: 'create', automation: 'create_contact',
  nodes: [
    { id: 't', type: 'trigger.webhook' },
    { id: 'c', type: 'crm.createContact', params: { crm: '=options.crm', firstName: 'Owen', lastName: 'Owned', phone: '=trigger.phone', owner: '=trigger.owner' } },
    { id: 'r', type: 'respond.json', params: { body: '=steps.c' } },
  ],
  edges: [{ id: 'a', source: 't', target: 'c' }, { id: 'b', source: 'c', target: 'r' }],
};

async function routeWithLiveCrm(crm: string, connection: Record<string, unknown>, ownerEmail: string) {
  const connections = { [crm]: connection as never };
  const options = { ...routing.options, liveCrm: true, crm };
  const made = await runFixture(createContact, { phone: '+1 (646) 555-0142', owner: ownerEmail }, { options, connections });
  expect(made.status, JSON.stringify(made.error)).toBe('succeeded');
  const ownerId = (made.response!.body as { contact: { owner: string } | null }).contact?.owner;
  expect(ownerId).toBeTruthy();

  const owned = await runFixture(routing, { event: 'call.ringing', callId: `${crm}-1`, from: '+16465550142' }, { options, connections });
  expect(owned.status, JSON.stringify(owned.error)).toBe('succeeded');
  expect(owned.steps.map((s) => s.nodeId)).toEqual(['trigger', 'lookup', 'live_crm', 'crm', 'rules', 'via_api', 'answer']);
  expect(owned.byNode.lookup.port).toBe('notFound');
  expect(owned.byNode.crm.port).toBe('found');
  expect(owned.byNode.rules.output).toMatchObject({ matched: true, rule: 'Owner' });
  expect(owned.response?.body).toEqual({ action: 'route', target: ownerId, targetType: 'user' });

  const stranger = await runFixture(routing, { event: 'call.ringing', callId: `${crm}-2`, from: '+16465550199' }, { options, connections });
  expect(stranger.byNode.crm.port).toBe('notFound');
  expect(stranger.response?.body).toEqual({ action: 'route', target: 'main-queue', targetType: 'queue' });
}

describe('call_routing with a live CRM lookup', () => {
  it('HubSpot: a caller owned in HubSpot goes to the owning agent, an unknown one to the default queue', async () => {
    await routeWithLiveCrm('hubspot', { id: 'c-hub', system: 'hubspot', baseUrl: hub.url, credentials: { token: TOKEN } }, hub.store.owners[0].email);
  });

  it('Zoho CRM: the same flow, unchanged', async () => {
    const agent = zoho.store.users.find((u) => u.status === 'active' && u.id !== zoho.store.currentUserId)!;
    await routeWithLiveCrm('zoho', { id: 'c-zoho', system: 'zoho', baseUrl: zoho.url, credentials: { token: TOKEN } }, agent.email);
  });
});
