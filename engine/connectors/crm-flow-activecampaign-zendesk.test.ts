// The call-logging flow built with the generic crm.* blocks, unchanged, for an ActiveCampaign customer and a
// Zendesk customer: an answered and a missed call each, every webhook delivered twice. Each then holds exactly two
// call logs in its native shape (ActiveCampaign: completed Call tasks, each with its contact note; Zendesk: two
// call blocks in the end user's notes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callLoggingRunner } from '../testing/crm-flow-harness';
import { syntheticPerson } from './kit/synthetic';
import { startActiveCampaignEmulator, type AcEmulator } from './activecampaign/emulator';
import { startZendeskEmulator, ZENDESK_EMULATOR_EMAIL, type ZendeskEmulator } from './zendesk/emulator';

const TOKEN = 'flow-token-hd-0123456789';

let ac: AcEmulator;
let zd: ZendeskEmulator;
beforeAll(async () => {
  [ac, zd] = await Promise.all([startActiveCampaignEmulator({ contacts: 20, users: 3, token: TOKEN }), startZendeskEmulator({ contacts: 20, users: 3, token: TOKEN })]);
});
afterAll(async () => { await Promise.all([ac?.close(), zd?.close()]); });

const caller = syntheticPerson(4); // a Berlin number, stored with its country code in both
const runTwice = callLoggingRunner({ caller, callTag: '8842' });

describe('the call-logging flow on ActiveCampaign and Zendesk', () => {
  it('logs an answered and a missed call for an ActiveCampaign customer: two completed Call tasks for the agent, each with one note', async () => {
    const agent = ac.store.users[2];
    const connections = { activecampaign: { id: 'c-ac', system: 'activecampaign', baseUrl: ac.url, credentials: { apiToken: TOKEN } } };
    const answered = await runTwice('activecampaign', connections, 'answered', agent.email);
    const missed = await runTwice('activecampaign', connections, 'missed', agent.email);
    expect(ac.store.list('dealTasks').map((t) => t.id).sort()).toEqual([answered, missed].sort());
    expect(ac.store.tables.dealTasks.get(answered)).toMatchObject({ title: `Inbound call from ${caller.e164}`, relid: '5', reltype: 'Subscriber', status: 1, dealTasktype: '1', assignee: agent.id });
    expect(ac.store.tables.dealTasks.get(missed)).toMatchObject({ title: `Inbound call from ${caller.e164} (missed)`, status: 1, assignee: agent.id });
    expect(ac.store.list('notes').map((n) => [n.relid, /Call id: (.*)/.exec(String(n.note))?.[1], String(n.note).split('\n\n')[1]]).sort()).toEqual([['5', 'pbx-answered-8842', 'The answered call'], ['5', 'pbx-missed-8842', 'The missed call']]);
  });

  it("logs an answered and a missed call for a Zendesk customer: two call blocks in the end user's notes, by the agent", async () => {
    const agent = zd.store.agents()[2];
    const connections = { zendesk: { id: 'c-zd', system: 'zendesk', baseUrl: zd.url, credentials: { email: ZENDESK_EMULATOR_EMAIL, apiToken: TOKEN } } };
    const answered = await runTwice('zendesk', connections, 'answered', agent.email!);
    const missed = await runTwice('zendesk', connections, 'missed', agent.email!);
    const user = zd.store.endUsers().find((u) => u.email === caller.email)!;
    expect([answered, missed]).toEqual([`${user.id}:pbx-answered-8842`, `${user.id}:pbx-missed-8842`]);
    expect(user.notes.match(/^\[call [^\]]+\]$/gm)).toEqual(['[call pbx-missed-8842]', '[call pbx-answered-8842]']);
    expect(user.notes).toContain(`Agent: ${agent.name} (user ${agent.id})\nCall id: pbx-answered-8842\n\nThe answered call`);
  });
});
