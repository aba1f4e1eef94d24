// The call-logging flow built once with the generic crm.* blocks (find the caller, log the call) runs unchanged
// for a customer on Dynamics 365 and one on Zoho CRM: an answered call and a missed call each become one native
// call log linked to the caller and the agent; a re-delivered event logs nothing twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFixture } from '../testing/run-fixture';
import { crmCallLoggingFlow } from '../testing/crm-call-flow';
import { syntheticPerson } from './kit/synthetic';
import { startDynamicsEmulator, type DynamicsEmulator } from './dynamics/emulator';
import { startZohoEmulator, type ZohoEmulator } from './zoho/emulator';

const TOKEN = 'flow-token-dz';

let dyn: DynamicsEmulator;
let zoho: ZohoEmulator;
beforeAll(async () => {
  [dyn, zoho] = await Promise.all([
    startDynamicsEmulator({ contacts: 20, companies: 2, users: 3, token: TOKEN }),
    startZohoEmulator({ contacts: 20, companies: 2, users: 3, token: TOKEN }),
  ]);
});
afterAll(async () => { await Promise.all([dyn?.close(), zoho?.close()]); });

const caller = syntheticPerson(4); // (212) 200-0004 as each CRM stores it
const calls = [
  { callId: 'pbx-answered-1', status: 'answered', startedAt: '2026-03-02T09:30:00Z', endedAt: '2026-03-02T09:32:15Z', notes: 'Asked about the renewal' },
  { callId: 'pbx-missed-2', status: 'missed', startedAt: '2026-03-02T11:00:00Z', endedAt: '2026-03-02T11:00:20Z', notes: 'Rang out' },
];

async function logBoth(crm: string, connection: Record<string, unknown>, agentEmail: string) {
  const refs: { system: string; id: string }[] = [];
  for (const c of calls) {
    // Each event is delivered twice: the callId finds the first log.
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await runFixture(crmCallLoggingFlow, { ...c, from: caller.e164, to: '+14155550100', agentEmail }, { options: { crm }, connections: { [crm]: connection as never } });
      expect(r.status, `${crm}: ${JSON.stringify(r.error)}`).toBe('succeeded');
      expect(r.steps.map((s) => s.nodeId)).toEqual(['trigger', 'lookup', 'log', 'done']);
      const body = r.response!.body as { logged: { system: string; id: string }; contact: string };
      expect(body.contact).toBe(`${caller.firstName} ${caller.lastName}`);
      if (attempt === 1) expect(body.logged.id).toBe(refs.at(-1)!.id);
      else refs.push(body.logged);
    }
  }
  return refs;
}

describe('the call-logging flow on Dynamics 365 and Zoho CRM', () => {
  it('Dynamics 365: an answered and a missed call become two completed phone calls on the contact, owned by the agent', async () => {
    const agent = dyn.store.list('systemusers').find((u) => u.accessmode === 0 && !u.isdisabled)!;
    const [answered, missed] = await logBoth('dynamics', { id: 'c-dyn', system: 'dynamics', baseUrl: dyn.url, credentials: { token: TOKEN } }, String(agent.internalemailaddress));
    const contact = dyn.store.list('contacts').find((c) => c.emailaddress1 === caller.email)!;
    expect(dyn.store.phoneCalls()).toHaveLength(2);
    expect(dyn.store.table('phonecalls').get(answered.id)).toMatchObject({
      directioncode: false, statecode: 1, statuscode: 4, actualdurationminutes: 3, phonenumber: caller.e164,
      _regardingobjectid_value: contact.contactid, _ownerid_value: agent.systemuserid, subject: `Inbound call from ${caller.e164}`,
    });
    expect(String(dyn.store.table('phonecalls').get(answered.id)!.description)).toContain('Asked about the renewal');
    expect(dyn.store.table('phonecalls').get(missed.id)).toMatchObject({ statecode: 1, subject: `Inbound call from ${caller.e164} (missed)`, _regardingobjectid_value: contact.contactid });
    expect(String(dyn.store.table('phonecalls').get(missed.id)!.description)).toMatch(/^Result: missed$/m);
    expect(dyn.store.list('annotations').filter((n) => n._objectid_value === contact.contactid)).toHaveLength(2);
  });

  it('Zoho CRM: an answered and a missed call become an Inbound and a Missed Calls record on the contact, owned by the agent', async () => {
    const agent = zoho.store.users.find((u) => u.status === 'active' && u.id !== zoho.store.currentUserId)!;
    const [answered, missed] = await logBoth('zoho', { id: 'c-zoho', system: 'zoho', baseUrl: zoho.url, credentials: { token: TOKEN } }, agent.email);
    const contact = zoho.store.list('Contacts').find((c) => c.Email === caller.email)!;
    expect(zoho.store.list('Calls')).toHaveLength(2);
    expect(zoho.store.table('Calls').get(answered.id)).toMatchObject({ Call_Type: 'Inbound', Call_Duration: '02:15', Who_Id: { id: contact.id }, Owner: { id: agent.id } });
    expect(zoho.store.table('Calls').get(missed.id)).toMatchObject({ Call_Type: 'Missed', Who_Id: { id: contact.id }, Owner: { id: agent.id } });
    expect(zoho.store.list('Notes').filter((n) => (n.Parent_Id as { id: string }).id === contact.id)).toHaveLength(2);
  });
});
