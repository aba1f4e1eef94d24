// One call-logging flow, built once with the generic crm.* blocks, runs unchanged for three customers: one on
// HubSpot, one on Salesforce, one on Pipedrive (the integration's options say which). Each CRM emulator then holds
// exactly one call log, in that CRM's native shape, linked to the caller and the agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFixture, type FixtureOptions } from '../testing/run-fixture';
import { crmCallLoggingFlow } from '../testing/crm-call-flow';
import { syntheticPerson } from './kit/synthetic';
import { startHubspotEmulator, type HubspotEmulator } from './hubspot/emulator';
import { startSalesforceEmulator, type SalesforceEmulator } from './salesforce/emulator';
import { startPipedriveEmulator } from './pipedrive/emulator';

const TOKEN = 'flow-token-0123456789';

let hs: HubspotEmulator;
let sf: SalesforceEmulator;
let pd: Awaited<ReturnType<typeof startPipedriveEmulator>>;

beforeAll(async () => {
  [hs, sf, pd] = await Promise.all([
    startHubspotEmulator({ contacts: 20, companies: 2, users: 3, token: TOKEN }),
    startSalesforceEmulator({ contacts: 20, companies: 2, users: 3, token: TOKEN }),
    startPipedriveEmulator({ contacts: 20, companies: 2, users: 3, token: TOKEN }),
  ]);
});
afterAll(async () => { await Promise.all([hs?.close(), sf?.close(), pd?.close()]); });

const caller = syntheticPerson(4); // as each CRM stores it: (212) 200-0004, New York

function trigger(agentEmail: string) {
  return {
    callId: 'pbx-call-7731', from: caller.e164, to: '+14155550100', status: 'answered', agentEmail,
    startedAt: '2026-03-02T09:30:00Z', endedAt: '2026-03-02T09:32:15Z', notes: 'Asked about the renewal',
  };
}

describe('one call-logging flow, three CRMs', () => {
  it('runs unchanged for a HubSpot, a Salesforce and a Pipedrive customer; each CRM holds exactly one correct call log', async () => {
    const hsAgent = hs.store.owners[1];
    const sfAgent = sf.store.list('User').find((u) => u.Id !== sf.store.apiUserId)!;
    const pdAgent = pd.store.users.get(2)!;
    const customers: { crm: string; connections: FixtureOptions['connections']; agentEmail: string }[] = [
      { crm: 'hubspot', connections: { hubspot: { id: 'c-hs', system: 'hubspot', baseUrl: hs.url, credentials: { token: TOKEN } } }, agentEmail: hsAgent.email },
      { crm: 'salesforce', connections: { salesforce: { id: 'c-sf', system: 'salesforce', baseUrl: sf.url, credentials: { token: TOKEN } } }, agentEmail: String(sfAgent.Email) },
      { crm: 'pipedrive', connections: { pipedrive: { id: 'c-pd', system: 'pipedrive', baseUrl: pd.url, credentials: { apiToken: TOKEN } } }, agentEmail: pdAgent.email },
    ];
    const answers: Record<string, { logged: { system: string; id: string; type: string }; contact: string }> = {};
    for (const c of customers) {
      // A retried webhook runs the flow twice: the callId finds the first log.
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = await runFixture(crmCallLoggingFlow, trigger(c.agentEmail), { options: { crm: c.crm }, connections: c.connections });
        expect(r.status, `${c.crm}: ${JSON.stringify(r.error)}`).toBe('succeeded');
        expect(r.steps.map((s) => s.nodeId)).toEqual(['trigger', 'lookup', 'log', 'done']);
        answers[c.crm] = r.response!.body as (typeof answers)[string];
      }
      expect(answers[c.crm]).toMatchObject({ logged: { system: c.crm }, contact: `${caller.firstName} ${caller.lastName}` });
    }

    // HubSpot: one call engagement on the contact's timeline, owned by the agent.
    const hsCalls = hs.store.calls();
    expect(hsCalls).toHaveLength(1);
    const hsContact = hs.store.list('contacts').find((r) => r.properties.email === caller.email)!;
    expect(hsCalls[0]).toMatchObject({
      id: answers.hubspot.logged.id,
      properties: { hs_call_direction: 'INBOUND', hs_call_status: 'COMPLETED', hs_call_duration: '135000', hs_call_external_id: 'pbx-call-7731', hubspot_owner_id: hsAgent.id, hs_call_from_number: caller.e164 },
      associations: { contacts: [hsContact.id] },
    });
    expect(hsCalls[0].properties.hs_call_body).toContain('Asked about the renewal');

    // Salesforce: one completed Task with TaskSubtype Call on the Contact, owned by the agent.
    const sfCalls = sf.store.calls();
    expect(sfCalls).toHaveLength(1);
    const sfContact = sf.store.list('Contact').find((r) => r.Email === caller.email)!;
    expect(sfCalls[0]).toMatchObject({
      Id: answers.salesforce.logged.id, TaskSubtype: 'Call', Status: 'Completed', CallType: 'Inbound', CallDurationInSeconds: 135,
      CallDisposition: 'Answered', CallObject: 'pbx-call-7731', WhoId: sfContact.Id, OwnerId: sfAgent.Id,
    });
    expect(String(sfCalls[0].Description)).toContain('Asked about the renewal');

    // Pipedrive: one done call activity on the person, owned by the agent, and the note on the person.
    const pdCalls = [...pd.store.tables.activities.rows.values()].filter((a) => a.type === 'call');
    expect(pdCalls).toHaveLength(1);
    const pdPerson = [...pd.store.tables.persons.rows.values()].find((p) => p.emails.some((e) => e.value === caller.email))!;
    expect(pdCalls[0]).toMatchObject({ id: Number(answers.pipedrive.logged.id), done: true, person_id: pdPerson.id, owner_id: pdAgent.id, duration: '00:03:00' });
    expect(pdCalls[0].note).toContain('Call id: pbx-call-7731');
    expect(pdCalls[0].note).toContain('Asked about the renewal');
  });

  it('refuses a CRM nobody knows, naming the param', async () => {
    const r = await runFixture(crmCallLoggingFlow, trigger('a@example.com'), { options: { crm: 'nosuchcrm' }, connections: {} });
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'invalid_params', nodeId: 'lookup' });
    expect(JSON.stringify(r.error)).toContain('crm');
  });
});
