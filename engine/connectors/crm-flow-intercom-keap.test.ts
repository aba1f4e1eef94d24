// The call-logging flow built with the generic crm.* blocks, unchanged, for an Intercom customer and a Keap customer:
// an answered and a missed call each, every webhook delivered twice. Each CRM then holds exactly two call logs in its
// native shape (Intercom: notes on the contact by the agent; Keap: Call notes on the contact by the agent).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callLoggingRunner } from '../testing/crm-flow-harness';
import { syntheticPerson } from './kit/synthetic';
import { startIntercomEmulator, type IntercomEmulator } from './intercom/emulator';
import { isCallNote } from './intercom/read-back';
import { noteHtmlToText } from './intercom/note-html';
import { startKeapEmulator, type KeapEmulator } from './keap/emulator';

const TOKEN = 'flow-token-ic-kp-0123456789';

let intercom: IntercomEmulator;
let keap: KeapEmulator;
beforeAll(async () => {
  [intercom, keap] = await Promise.all([
    startIntercomEmulator({ contacts: 20, users: 3, token: TOKEN }),
    startKeapEmulator({ contacts: 20, users: 3, token: TOKEN }),
  ]);
});
afterAll(async () => { await Promise.all([intercom?.close(), keap?.close()]); });

const caller = syntheticPerson(4); // a Berlin number typed nationally (030 0000004) in both CRMs
const runTwice = callLoggingRunner({ caller, callTag: '8842', loggedType: 'note' });

describe('the call-logging flow on Intercom and Keap', () => {
  it('logs an answered and a missed call for an Intercom customer: two notes on the contact, written by the agent', async () => {
    const agent = intercom.store.admins[2];
    const connections = { intercom: { id: 'c-intercom', system: 'intercom', baseUrl: intercom.url, credentials: { accessToken: TOKEN } } };
    const answered = await runTwice('intercom', connections, 'answered', agent.email);
    const missed = await runTwice('intercom', connections, 'missed', agent.email);
    const contact = intercom.store.listContacts().find((c) => c.email === caller.email)!;
    const calls = [...intercom.store.notes.values()].filter((n) => isCallNote(n.body));
    expect(calls.map((n) => n.id).sort()).toEqual([answered, missed].sort());
    for (const n of calls) expect(n).toMatchObject({ contact: { id: contact.id }, author: { id: agent.id } });
    expect(noteHtmlToText(intercom.store.notes.get(missed)!.body)).toBe(`Inbound call from ${caller.e164} (missed)\nDirection: inbound\nResult: missed\nFrom: ${caller.e164}\nTo: +14155550100\nDuration: 20 s\nCall id: pbx-missed-8842\n\nThe missed call`);
    expect(noteHtmlToText(intercom.store.notes.get(answered)!.body)).toMatch(/Result: answered\n[\s\S]*Duration: 2 min 15 s/);
  });

  it('logs an answered and a missed call for a Keap customer: two Call notes on the contact, by the agent', async () => {
    const agent = keap.store.users[2];
    const connections = { keap: { id: 'c-keap', system: 'keap', baseUrl: keap.url, credentials: { apiKey: TOKEN } } };
    const answered = await runTwice('keap', connections, 'answered', agent.email_address);
    const missed = await runTwice('keap', connections, 'missed', agent.email_address);
    const contact = keap.store.listContacts().find((c) => c.email_addresses[0].email === caller.email)!;
    const calls = [...keap.store.notes.values()].filter((n) => n.type === 'Call');
    expect(calls.map((n) => String(n.id)).sort()).toEqual([answered, missed].sort());
    for (const n of calls) expect(n).toMatchObject({ contact_id: contact.id, user_id: agent.id });
    expect(keap.store.notes.get(Number(missed))).toMatchObject({ title: `Inbound call from ${caller.e164} (missed)`, body: `Direction: inbound\nResult: missed\nFrom: ${caller.e164}\nTo: +14155550100\nDuration: 20 s\nCall id: pbx-missed-8842\n\nThe missed call` });
  });
});
