// The call-logging flow built with the generic crm.* blocks, unchanged, for a SugarCRM customer and a Copper
// customer: an answered and a missed call each, every webhook delivered twice. Each CRM then holds exactly two
// call logs in its native shape (Sugar: Calls Held / Not Held with a Note; Copper: Phone Call activities).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callLoggingRunner } from '../testing/crm-flow-harness';
import { syntheticPerson } from './kit/synthetic';
import { COPPER_EMULATOR_EMAIL, COPPER_PHONE_CALL_TYPE_ID, startCopperEmulator, type CopperEmulator } from './copper/emulator';
import { startSugarEmulator, type SugarEmulator } from './sugarcrm/emulator';

const TOKEN = 'flow-token-sc-0123456789';

let sugar: SugarEmulator;
let copper: CopperEmulator;
beforeAll(async () => {
  [sugar, copper] = await Promise.all([
    startSugarEmulator({ contacts: 20, companies: 2, users: 3, token: TOKEN }),
    startCopperEmulator({ contacts: 20, companies: 2, users: 3, token: TOKEN }),
  ]);
});
afterAll(async () => { await Promise.all([sugar?.close(), copper?.close()]); });

const caller = syntheticPerson(4); // a Berlin number typed nationally (030 0000004) in both CRMs
const runTwice = callLoggingRunner({ caller, callTag: '7731' });

describe('the call-logging flow on SugarCRM and Copper', () => {
  it('logs an answered and a missed call for a SugarCRM customer: two Calls on the contact, assigned to the agent, each with its Note', async () => {
    const agent = sugar.store.list('Users')[2];
    const connections = { sugarcrm: { id: 'c-sugar', system: 'sugarcrm', baseUrl: sugar.url, credentials: { accessToken: TOKEN } } };
    const answered = await runTwice('sugarcrm', connections, 'answered', String(agent.email1));
    const missed = await runTwice('sugarcrm', connections, 'missed', String(agent.email1));
    const contact = sugar.store.list('Contacts').find((c) => c.email1 === caller.email)!;
    expect(sugar.store.list('Calls').map((c) => c.id).sort()).toEqual([answered, missed].sort());
    expect(sugar.store.modules.Calls.get(answered)).toMatchObject({ direction: 'Inbound', status: 'Held', duration_hours: 0, duration_minutes: 2, parent_type: 'Contacts', parent_id: contact.id, assigned_user_id: agent.id });
    expect(sugar.store.modules.Calls.get(missed)).toMatchObject({ status: 'Not Held', name: `Inbound call from ${caller.e164} (missed)`, parent_id: contact.id, assigned_user_id: agent.id });
    expect(sugar.store.list('Notes').map((n) => [n.parent_id, n.contact_id, n.description]).sort()).toEqual([[answered, contact.id, 'The answered call'], [missed, contact.id, 'The missed call']].sort());
  });

  it('logs an answered and a missed call for a Copper customer: two Phone Call activities on the person, by the agent', async () => {
    const agent = copper.store.users[2];
    const connections = { copper: { id: 'c-copper', system: 'copper', baseUrl: copper.url, credentials: { apiKey: TOKEN, email: COPPER_EMULATOR_EMAIL } } };
    const answered = await runTwice('copper', connections, 'answered', agent.email);
    const missed = await runTwice('copper', connections, 'missed', agent.email);
    const person = copper.store.list('people').find((p) => (p.emails as { email: string }[])[0].email === caller.email)!;
    const calls = copper.store.list('activities').filter((a) => (a.type as { id: number }).id === COPPER_PHONE_CALL_TYPE_ID);
    expect(calls.map((a) => String(a.id)).sort()).toEqual([answered, missed].sort());
    for (const a of calls) expect(a).toMatchObject({ parent: { type: 'person', id: person.id }, user_id: agent.id, activity_date: Date.parse('2026-03-02T09:30:00Z') / 1000 });
    const missedDetails = String(copper.store.tables.activities.get(Number(missed))!.details);
    expect(missedDetails.startsWith(`Inbound call from ${caller.e164} (missed)\nDirection: inbound\nResult: missed\n`)).toBe(true);
    expect(missedDetails.endsWith('\n\nThe missed call')).toBe(true);
    expect(String(copper.store.tables.activities.get(Number(answered))!.details)).toMatch(/Result: answered\n[\s\S]*Duration: 2 min 15 s/);
  });
});
