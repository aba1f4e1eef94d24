// Slack on calls, end to end: the phone-system emulator sends its signed webhooks to the running server; the
// caller-card template (call_ringing) posts one Block Kit card per call to #calls or to the agent's DM, and the
// agent-status template (call_answered) sets "On a call" in the Slack emulator while the call is answered and
// clears it once it ended — each exactly once per call, however often the webhooks are re-delivered or repeated.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, baseUrl, db } from './helpers';
import { settledCall, type CallSession } from './call-sessions';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import { saveConnection } from '@/lib/engine-host/connections';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { startSlackEmulator, type SlackEmulator } from '@/engine/connectors/slack/emulator';

const BOT = 'xoxb-calls-bot';
const ADMIN = 'xoxp-calls-admin';
const PB_TOKEN = 'pb-token-slack';
const AGENT = 'grace.agent@patchbay-demo.test';
const CALLER = { e164: '+14157040123', firstName: 'Barbara', lastName: 'Liskov', company: 'Abstraction Ltd', crmUrl: 'https://app.hubspot.com/contacts/1/record/0-1/501' };
const NUMBER = '+14155550199';

let slack: SlackEmulator;
let pb: PhoneSystemEmulator;
let customer = { ext: '', id: '', vendorId: '' };
let flows = { card: '', status: '' };

async function saveTemplate(vendorId: string, file: string): Promise<string> {
  const definition = JSON.parse(fs.readFileSync(path.resolve('engine/fixtures', file), 'utf8'));
  // The demo seed publishes these templates for the vendor (automation names are unique per vendor): a new version.
  const [existing] = await db()<{ id: string }[]>`select id from flows where vendor_id = ${vendorId} and automation = ${definition.automation} and deleted_at is null`;
  const saved = await saveFlowVersion(db(), { vendorId, flowId: existing?.id, definition });
  await publishFlow(db(), vendorId, saved.flowId, saved.version);
  return saved.flowId;
}

beforeAll(async () => {
  [slack, pb] = await Promise.all([
    startSlackEmulator({ token: BOT, adminUserToken: ADMIN, users: [{ email: AGENT, realName: 'Grace Agent' }, { email: 'other.agent@patchbay-demo.test' }] }),
    startPhoneSystemEmulator({ token: PB_TOKEN, webhookRetryDelayMs: 50 }),
  ]);
  const sql = db();
  const key = Buffer.from(JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).encryptionKey, 'hex');
  const ext = `slack-${Math.random().toString(36).slice(2, 8)}`;
  expect((await api('/api/v1/customers', { body: { externalId: ext, name: 'Slack calls', defaultCountry: 'US' } })).status).toBe(201);
  const [c] = await sql`select c.id, c.vendor_id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = ${ext}`;
  customer = { ext, id: c.id, vendorId: c.vendor_id };
  const secret = `whsec_slack_${Math.random().toString(36).slice(2)}`;
  await saveConnection(sql, key, { customerId: c.id, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: PB_TOKEN, webhookSecret: secret } });
  await saveConnection(sql, key, { customerId: c.id, system: 'slack', name: 'Slack', authKind: 'apiKey', baseUrl: `${slack.url}/api`, credentials: { botToken: BOT, userToken: ADMIN } });
  pb.setWebhook({ url: `${baseUrl()}/api/v1/hooks/${c.slug}/${ext}/phone-system`, secret });
  const up = await api(`/api/v1/customers/${ext}/cdp/contacts`, { body: { contacts: [{ source: 'hubspot', externalId: '501', firstName: CALLER.firstName, lastName: CALLER.lastName, company: CALLER.company, email: 'barbara@abstraction.example', phones: [CALLER.e164], crmUrl: CALLER.crmUrl }] } });
  expect(up.body).toMatchObject({ inserted: 1 });
  flows = { card: await saveTemplate(c.vendor_id, 'slack-caller-card.flow.json'), status: await saveTemplate(c.vendor_id, 'slack-agent-status.flow.json') };
  await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId: flows.card, options: { slackChannel: '#calls' } });
  await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId: flows.status, options: {} });
}, 120_000);

afterAll(async () => { await Promise.all([slack?.close(), pb?.close()]); });

/** Polls until `until` holds for the session and every run the call started has finished (none failed). */
const settled = (callId: string, until: (s: CallSession) => boolean, timeoutMs = 30_000) => settledCall(customer.id, callId, until, { timeoutMs, pollMs: 200 });

const agent = () => slack.store.userByEmail(AGENT)!;
const callsChannel = () => slack.store.channelByName('calls')!.id;
const base = (callId: string) => ({ callId, direction: 'inbound' as const, from: CALLER.e164, to: NUMBER, agentEmail: AGENT, startedAt: new Date().toISOString() });

describe('Slack on calls', () => {
  it('a call from a known customer: one caller card in #calls, the agent "On a call" while answered and cleared after — once, with every webhook delivered twice and repeated', async () => {
    const callId = `call_slack_${Date.now()}`;
    const changes0 = slack.store.statusChanges(agent().id).length;
    const msgs0 = slack.store.messages(callsChannel()).length;
    const ringing = await pb.emitCall({ ...base(callId), event: 'call.ringing' });
    expect(await pb.redeliver(ringing)).toBe(200); // the same delivery again: a duplicate, no run
    await settled(callId, (s) => !!s.records['slack:card']?.ts);
    const answered = await pb.emitCall({ ...base(callId), event: 'call.answered' });
    await pb.redeliver(answered);
    // The status run sets the status, then waits (durably) for the end of the call.
    const waitStart = Date.now();
    while (agent().status.text !== 'On a call' && Date.now() - waitStart < 20_000) await new Promise((r) => setTimeout(r, 100));
    expect(agent().status).toMatchObject({ text: 'On a call', emoji: ':telephone_receiver:' });
    // The phone system repeats events under new delivery ids (a second sender, a replay): new runs, no new effect.
    await pb.emitCall({ ...base(callId), event: 'call.ringing' });
    await pb.emitCall({ ...base(callId), event: 'call.answered' });
    const ended = await pb.emitCall({ ...base(callId), event: 'call.ended', durationSec: 42, status: 'completed' });
    await pb.redeliver(ended);
    const s = await settled(callId, (x) => x.state === 'ended' && !!x.records['slack:status']?.clearedAt);

    const cards = slack.store.messages(callsChannel()).slice(msgs0);
    expect(cards).toHaveLength(1);
    expect(cards[0].text).toBe(`Incoming call from Barbara Liskov (Abstraction Ltd) · ${CALLER.e164}`);
    expect(cards[0].blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: '📞 Barbara Liskov', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: `Incoming call from ${CALLER.e164} · ringing at ${AGENT}` } },
      { type: 'section', fields: [
        { type: 'mrkdwn', text: '*Company*\nAbstraction Ltd' }, { type: 'mrkdwn', text: `*Phone*\n${CALLER.e164}` },
        { type: 'mrkdwn', text: '*E-mail*\nbarbara@abstraction.example' }, { type: 'mrkdwn', text: '*CRM*\nhubspot' },
      ] },
      { type: 'actions', elements: [{ type: 'button', action_id: 'open_crm', text: { type: 'plain_text', text: 'Open in CRM' }, url: CALLER.crmUrl }] },
    ]);
    expect(s.records['slack:card']).toMatchObject({ channel: callsChannel(), ts: cards[0].ts });
    // Exactly one "On a call" and one clearing for this call, and the status is clear now.
    expect(slack.store.statusChanges(agent().id).slice(changes0).map((c) => [c.text, c.emoji])).toEqual([['On a call', ':telephone_receiver:'], ['', '']]);
    expect(agent().status).toEqual({ text: '', emoji: '', expiration: 0 });
    const runs = await db()<{ automation: string; status: string }[]>`select automation, status from runs where id = any(${s.run_ids}::uuid[]) order by started_at`;
    expect(runs.map((r) => r.automation).sort()).toEqual(['call_answered', 'call_answered', 'call_ringing', 'call_ringing']);
    expect(slack.calls.get('chat.postMessage')).toBe(1);
  }, 90_000);

  it('with notify = agent the card goes to the agent\'s DM; an unknown caller gets no card; a call over before it was picked up sets no status', async () => {
    await enableIntegration(db(), { vendorId: customer.vendorId, customerId: customer.id, flowId: flows.card, options: { notify: 'agent' } });
    const callId = `call_slack_dm_${Date.now()}`;
    await pb.emitCall({ ...base(callId), event: 'call.ringing' });
    await settled(callId, (s) => !!s.records['slack:card']?.ts);
    const im = slack.store.channels.find((c) => c.isIm && c.imUser === agent().id)!;
    expect(slack.store.messages(im.id).map((m) => m.text)).toEqual([`Incoming call from Barbara Liskov (Abstraction Ltd) · ${CALLER.e164}`]);

    const unknown = `call_slack_unknown_${Date.now()}`;
    const posts = slack.calls.get('chat.postMessage');
    const changes0 = slack.store.statusChanges().length;
    await pb.emitCall({ ...base(unknown), from: '+14155550000', event: 'call.ringing' });
    // Answered and ended before the status run picks the answered event up: the run finds the call over.
    await pb.emitCall({ ...base(unknown), from: '+14155550000', event: 'call.ended', durationSec: 3, status: 'completed' });
    await pb.emitCall({ ...base(unknown), from: '+14155550000', event: 'call.answered' });
    const s = await settled(unknown, (x) => x.state === 'ended' && x.run_ids.length === 2);
    expect(slack.calls.get('chat.postMessage')).toBe(posts);
    expect(slack.store.statusChanges().length).toBe(changes0);
    const [statusRun] = await db()`select response from runs where id = any(${s.run_ids}::uuid[]) and automation = 'call_answered'`;
    expect(statusRun.response.body).toMatchObject({ set: 'skipped', cleared: 'skipped' });
  }, 60_000);
});
