// The Slack connector against its emulator over real HTTP: member lookups, messages to channels and DMs with Block
// Kit, once-per-call messages and agent statuses (also when a worker dies between Slack's answer and the
// bookkeeping), Slack's error bodies and 429 + Retry-After, and the OAuth v2 install.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeCode } from '../kit/oauth2';
import { connectorHarness } from '../../testing/connector-harness';
import { createMemoryCalls } from '../../testing/memory-calls';
import { createTestContext } from '../../testing/run-fixture';
import type { AnyBlock } from '../../core/define-block';
import { startSlackEmulator, type SlackEmulator } from './emulator';
import { findSlackUserByEmail } from './find-user-by-email';
import { callStatusBlock } from './call-status';
import { postMessageBlock } from './post-message';
import { setStatusBlock } from './set-status';
import { slackConnector, SLACK_BOT_SCOPES, SLACK_USER_SCOPES } from './manifest';

const BOT = 'xoxb-test-bot';
const ADMIN = 'xoxp-test-admin';
const AGENT = 'ada.agent@example.com';
let emu: SlackEmulator;
const { callFor } = connectorHarness<{ url: string }>('slack', 'conn-slack', { botToken: BOT, userToken: ADMIN });

beforeAll(async () => {
  emu = await startSlackEmulator({
    token: BOT, adminUserToken: ADMIN, oauth: { clientId: 'cid', clientSecret: 'csecret' },
    users: [{ email: AGENT, realName: 'Ada Agent' }, { email: 'bob.agent@example.com', realName: 'Bob Agent' }],
    // More channels than one conversations.list page: resolving #calls pages through them.
    channels: [...Array.from({ length: 230 }, (_, i) => `team-${i}`), 'calls'],
  });
});
afterAll(async () => { await emu?.close(); });

function ctxWith(calls = createMemoryCalls(), credentials: Record<string, unknown> = { botToken: BOT, userToken: ADMIN }) {
  const ctx = createTestContext({ connections: { slack: { id: 'c', system: 'slack', baseUrl: `${emu.url}/api`, credentials } }, calls });
  return { ctx, calls };
}
const run = (block: AnyBlock, ctx: ReturnType<typeof ctxWith>['ctx'], params: Record<string, unknown>) =>
  block.run(ctx, block.params.parse(params), { trigger: {}, nodeId: 'n' }) as Promise<{ output: any; port?: string }>;
const api = (e: SlackEmulator) => ({ url: `${e.url}/api` });

describe('Slack connector', () => {
  it('finds a member by e-mail; an unknown e-mail is users_not_found → null', async () => {
    const u = await findSlackUserByEmail(callFor(api(emu)), 'ADA.agent@example.com');
    expect(u).toMatchObject({ realName: 'Ada Agent', email: AGENT, statusText: '' });
    expect(u!.id).toBe(emu.store.userByEmail(AGENT)!.id);
    expect(await findSlackUserByEmail(callFor(api(emu)), 'nobody@example.com')).toBeNull();
  });

  it('posts a caller card to #calls (found by paging conversations.list) and to an agent by e-mail (their DM)', async () => {
    const { ctx } = ctxWith();
    const card = { title: 'Incoming call: Barbara Lovelace', subtitle: 'Abstraction Ltd', fields: { Phone: '+14157040007', Tier: 'gold', Empty: '' }, linkUrl: 'https://crm.example.com/contacts/7' };
    const out = await run(postMessageBlock, ctx, { to: '#calls', text: 'Incoming call from Barbara Lovelace', card });
    const calls = emu.store.channelByName('calls')!;
    expect(out.output).toMatchObject({ action: 'created', channel: calls.id });
    expect(emu.calls.get('conversations.list')).toBe(2);
    const [m] = emu.store.messages(calls.id);
    expect(m.text).toBe('Incoming call from Barbara Lovelace');
    expect(m.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Incoming call: Barbara Lovelace', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: 'Abstraction Ltd' } },
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*Phone*\n+14157040007' }, { type: 'mrkdwn', text: '*Tier*\ngold' }] },
      { type: 'actions', elements: [{ type: 'button', action_id: 'open_crm', text: { type: 'plain_text', text: 'Open in CRM' }, url: 'https://crm.example.com/contacts/7' }] },
    ]);
    const dm = await run(postMessageBlock, ctx, { to: AGENT, text: 'Your caller: Barbara' });
    const im = emu.store.channels.find((c) => c.isIm && c.imUser === emu.store.userByEmail(AGENT)!.id)!;
    expect(dm.output).toMatchObject({ action: 'created', channel: im.id });
    expect(emu.store.messages(im.id).map((x) => x.text)).toEqual(['Your caller: Barbara']);
  });

  it('once per call: a second run leaves the message (or updates it); a worker dying after Slack answered does not post twice', async () => {
    const { ctx, calls } = ctxWith();
    const ch = emu.store.channelByName('calls')!.id;
    const before = emu.store.messages(ch).length;
    const first = await run(postMessageBlock, ctx, { to: ch, text: 'call 1', callId: 'call-1' });
    const again = await run(postMessageBlock, ctx, { to: ch, text: 'call 1', callId: 'call-1' });
    expect(again.output).toEqual({ ...first.output, action: 'unchanged' });
    const upd = await run(postMessageBlock, ctx, { to: ch, text: 'call 1 (answered by Ada)', callId: 'call-1', ifPosted: 'update' });
    expect(upd.output).toMatchObject({ action: 'updated', ts: first.output.ts });
    expect(emu.store.messages(ch).slice(before).map((m) => m.text)).toEqual(['call 1 (answered by Ada)']);

    // The worker dies between chat.postMessage's answer and storing its ts: the retry finds the message by its metadata.
    calls.failNextSave('slack:card', (r) => !!(r as { ts?: string }).ts);
    await expect(run(postMessageBlock, ctx, { to: ch, text: 'call 2', callId: 'call-2' })).rejects.toThrow(/worker died/);
    const retry = await run(postMessageBlock, ctx, { to: ch, text: 'call 2', callId: 'call-2' });
    const posted = emu.store.messages(ch).filter((m) => m.text === 'call 2');
    expect(posted).toHaveLength(1);
    expect(retry.output).toEqual({ action: 'unchanged', channel: ch, ts: posted[0].ts });
    expect(posted[0].metadata).toEqual({ event_type: 'patchbay_call_message', event_payload: { key: 'call-2:card', call_id: 'call-2' } });
    expect(calls.sessions.get('call-2')!.records['slack:card']).toMatchObject({ ts: posted[0].ts });
    // #calls was posted to without membership (chat:write.public): the look-up joined it to read its history.
    expect(emu.calls.get('conversations.join')).toBe(1);
    expect(emu.store.channelByName('calls')!.botMember).toBe(true);
  });

  it('two runs of the same call at once post one message; a reservation left by a dead worker is resolved from the history', async () => {
    const calls = createMemoryCalls();
    const a = ctxWith(calls).ctx;
    const b = { ...ctxWith(calls).ctx, runId: 'other-run' };
    const ch = emu.store.channelByName('calls')!.id;
    const outs = await Promise.all([run(postMessageBlock, a, { to: ch, text: 'race', callId: 'call-r' }), run(postMessageBlock, b, { to: ch, text: 'race', callId: 'call-r' })]);
    expect(emu.store.messages(ch).filter((m) => m.text === 'race')).toHaveLength(1);
    expect(outs.map((o) => o.output.action).sort()).toEqual(['created', 'unchanged']);

    // Another run's reservation from long ago, its message never recorded: found by its metadata, not posted again.
    calls.failNextSave('slack:card', (r) => !!(r as { ts?: string }).ts);
    await expect(run(postMessageBlock, a, { to: ch, text: 'stale', callId: 'call-st' })).rejects.toThrow(/worker died/);
    const rec = calls.sessions.get('call-st')!.records['slack:card'] as { reservedAt: string };
    rec.reservedAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const later = await run(postMessageBlock, b, { to: ch, text: 'stale', callId: 'call-st' });
    expect(later.output.action).toBe('unchanged');
    expect(emu.store.messages(ch).filter((m) => m.text === 'stale')).toHaveLength(1);
  });

  it('the agent status follows the call once: set while answered, never twice, cleared when it ended', async () => {
    const { ctx, calls } = ctxWith();
    const agent = emu.store.userByEmail(AGENT)!;
    const changes0 = emu.store.statusChanges(agent.id).length;
    const base = { callId: 'call-s1', direction: 'inbound' as const, from: '+14157040007', to: '+14155550199', agentEmail: AGENT };
    calls.event({ ...base, event: 'call.ringing' });
    expect((await run(callStatusBlock, ctx, { callId: 'call-s1' })).output).toMatchObject({ action: 'skipped' });
    calls.event({ ...base, event: 'call.answered' });
    expect((await run(callStatusBlock, ctx, { callId: 'call-s1' })).output).toEqual({ action: 'set', user: agent.id, reason: null });
    expect(agent.status).toMatchObject({ text: 'On a call', emoji: ':telephone_receiver:' });
    expect(agent.status.expiration).toBeGreaterThan(Date.now() / 1000 + 3 * 3600);
    expect((await run(callStatusBlock, ctx, { callId: 'call-s1' })).output).toMatchObject({ action: 'unchanged' });
    calls.event({ ...base, event: 'call.ended', durationSec: 30 });
    expect((await run(callStatusBlock, ctx, { callId: 'call-s1' })).output).toMatchObject({ action: 'cleared', user: agent.id });
    expect((await run(callStatusBlock, ctx, { callId: 'call-s1' })).output).toMatchObject({ action: 'unchanged' });
    expect(agent.status).toEqual({ text: '', emoji: '', expiration: 0 });
    expect(emu.store.statusChanges(agent.id).slice(changes0).map((c) => c.text)).toEqual(['On a call', '']);
  });

  it('an agent without a Slack account is skipped, not a failed run', async () => {
    const { ctx, calls } = ctxWith();
    calls.event({ callId: 'call-s4', event: 'call.answered', direction: 'inbound', from: '+14157040007', to: '+14155550199', agentEmail: 'not.in.slack@example.com' });
    expect((await run(callStatusBlock, ctx, { callId: 'call-s4' })).output).toEqual({ action: 'skipped', user: null, reason: 'No Slack member has the e-mail not.in.slack@example.com' });
    expect(calls.sessions.get('call-s4')!.records['slack:status']).toBeUndefined();
  });

  it('a worker dying after Slack set the status still gets it cleared; a status the agent changed meanwhile is left alone', async () => {
    const { ctx, calls } = ctxWith();
    const bob = emu.store.userByEmail('bob.agent@example.com')!;
    const base = { callId: 'call-s2', direction: 'inbound' as const, from: '+14157040007', to: '+14155550199', agentEmail: bob.email };
    calls.event({ ...base, event: 'call.answered' });
    calls.failNextSave('slack:status', (r) => !!(r as { setAt?: string }).setAt);
    await expect(run(callStatusBlock, ctx, { callId: 'call-s2' })).rejects.toThrow(/worker died/);
    expect(bob.status.text).toBe('On a call');
    expect((await run(callStatusBlock, ctx, { callId: 'call-s2' })).output).toMatchObject({ action: 'unchanged' });
    calls.event({ ...base, event: 'call.ended' });
    expect((await run(callStatusBlock, ctx, { callId: 'call-s2', phase: 'clear' })).output).toMatchObject({ action: 'cleared' });
    expect(bob.status.text).toBe('');

    const base3 = { ...base, callId: 'call-s3' };
    calls.event({ ...base3, event: 'call.answered' });
    await run(callStatusBlock, ctx, { callId: 'call-s3' });
    await run(setStatusBlock, ctx, { user: bob.email, text: 'Lunch', emoji: ':sandwich:' });
    calls.event({ ...base3, event: 'call.ended' });
    expect((await run(callStatusBlock, ctx, { callId: 'call-s3' })).output).toMatchObject({ action: 'unchanged', reason: expect.stringMatching(/changed their status/) });
    expect(bob.status).toMatchObject({ text: 'Lunch', emoji: ':sandwich:' });
  });

  it('Slack\'s errors: a bot token cannot set statuses (connection_auth, says why), a revoked token is invalid_auth, a bad channel is named', async () => {
    const { ctx } = ctxWith(createMemoryCalls(), { botToken: BOT });
    await expect(run(setStatusBlock, ctx, { user: AGENT, text: 'x' })).rejects.toMatchObject({ code: 'connection_auth', message: expect.stringMatching(/no user token of a workspace admin/) });
    const { ctx: ctx2 } = ctxWith(createMemoryCalls(), { botToken: BOT, userToken: BOT });
    await expect(run(setStatusBlock, ctx2, { user: AGENT, text: 'x' })).rejects.toMatchObject({ code: 'connection_auth', message: expect.stringMatching(/not_allowed_token_type.*workspace admin/) });
    const { ctx: bad } = ctxWith(createMemoryCalls(), { botToken: 'xoxb-nope' });
    await expect(run(postMessageBlock, bad, { to: 'C0NOTHERE1', text: 'x' })).rejects.toMatchObject({ code: 'connection_auth', message: 'Slack refused chat.postMessage: invalid_auth; reconnect Slack' });
    const { ctx: good } = ctxWith();
    await expect(run(postMessageBlock, good, { to: 'C0NOTHERE1', text: 'x' })).rejects.toMatchObject({ code: 'upstream_error', message: 'Slack refused chat.postMessage: channel_not_found' });
    await expect(run(postMessageBlock, good, { to: '#nope', text: 'x' })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/#nope/) });
    await expect(run(postMessageBlock, good, { to: 'who@example.com', text: 'x' })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/who@example.com/) });
    const fb = await run(postMessageBlock, good, { to: 'who@example.com', fallbackTo: '#calls', text: 'to the channel instead' });
    expect(fb.output).toMatchObject({ action: 'created', channel: emu.store.channelByName('calls')!.id });
  });

  it('the emulator takes JSON bodies with a Bearer token (not a token inside the JSON) and form bodies with a token argument', async () => {
    const ch = emu.store.channelByName('calls')!.id;
    const json = await fetch(`${emu.url}/api/chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${BOT}`, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ channel: ch, text: 'json body', blocks: [{ type: 'divider' }] }) });
    expect(await json.json()).toMatchObject({ ok: true, channel: ch, message: { text: 'json body', blocks: [{ type: 'divider' }] } });
    const inJson = await fetch(`${emu.url}/api/chat.postMessage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: BOT, channel: ch, text: 'x' }) });
    expect(inJson.status).toBe(200);
    expect(await inJson.json()).toEqual({ ok: false, error: 'not_authed' });
    const form = await fetch(`${emu.url}/api/users.lookupByEmail`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: BOT, email: AGENT }).toString() });
    expect(await form.json()).toMatchObject({ ok: true, user: { profile: { email: AGENT } } });
    expect(await (await fetch(`${emu.url}/api/no.such.method`, { method: 'POST', headers: { authorization: `Bearer ${BOT}` } })).json()).toMatchObject({ ok: false, error: 'unknown_method' });
  });

  it('waits out a 429 (Retry-After) and then succeeds', async () => {
    const limited = await startSlackEmulator({ token: BOT, users: [{ email: AGENT }], rateLimit: 1, rateWindowMs: 1200 });
    try {
      const call = callFor(api(limited));
      await findSlackUserByEmail(call, AGENT);
      const res429 = await fetch(`${limited.url}/api/auth.test`, { method: 'POST', headers: { authorization: `Bearer ${BOT}` } });
      expect(res429.status).toBe(429);
      expect(Number(res429.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await res429.json()).toEqual({ ok: false, error: 'ratelimited' });
      const u = await findSlackUserByEmail(call, AGENT);
      expect(u?.email).toBe(AGENT);
      expect(call.requestLog.some((e) => e.status === 429)).toBe(true);
      expect(limited.stats.rateLimited).toBeGreaterThanOrEqual(2);
    } finally { await limited.close(); }
  });

  it('OAuth v2 install: authorize → code → oauth.v2.access gives a bot token and the admin\'s user token, both usable', async () => {
    const auth = slackConnector.auth.find((a) => a.type === 'oauth2')!;
    if (auth.type !== 'oauth2') throw new Error('no oauth');
    const ends = auth.forBaseUrl!(`${emu.url}/api`)!;
    const authorize = new URL(ends.authorizeUrl);
    authorize.searchParams.set('client_id', 'cid');
    authorize.searchParams.set('redirect_uri', 'http://127.0.0.1:1/cb');
    authorize.searchParams.set('state', 's1');
    authorize.searchParams.set('scope', auth.scopes.join(' '));
    const redirect = await fetch(authorize, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const back = new URL(redirect.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('s1');
    const code = back.searchParams.get('code')!;
    await expect(exchangeCode(fetch, { tokenUrl: ends.tokenUrl, clientId: 'cid', clientSecret: 'wrong' }, code, 'http://127.0.0.1:1/cb')).rejects.toThrow(/bad_client_secret/);
    const tokens = await exchangeCode(fetch, { tokenUrl: ends.tokenUrl, clientId: 'cid', clientSecret: 'csecret' }, code, 'http://127.0.0.1:1/cb');
    expect(tokens.raw).toMatchObject({ ok: true, token_type: 'bot', scope: SLACK_BOT_SCOPES.join(','), team: { id: emu.store.team.id }, authed_user: { scope: SLACK_USER_SCOPES.join(','), token_type: 'user' } });
    await expect(exchangeCode(fetch, { tokenUrl: ends.tokenUrl, clientId: 'cid', clientSecret: 'csecret' }, code, 'http://127.0.0.1:1/cb')).rejects.toThrow(/invalid_code/);
    const creds = { accessToken: tokens.accessToken, ...auth.extraCredentials!(tokens.raw) };
    expect(creds).toMatchObject({ userToken: expect.stringMatching(/^xoxp-/), teamId: emu.store.team.id });
    const test = await slackConnector.testConnection!({ id: 'c', system: 'slack', baseUrl: `${emu.url}/api`, credentials: creds, saveCredentials: async () => {}, reportHealth: async () => {} }, fetch);
    expect(test).toEqual({ ok: true, account: 'Slack workspace Patchbay Demo', accountId: emu.store.team.id });
    const { ctx } = ctxWith(createMemoryCalls(), creds);
    expect((await run(setStatusBlock, ctx, { user: AGENT, text: 'Installed', emoji: ':wave:' })).output).toMatchObject({ text: 'Installed' });
    await run(setStatusBlock, ctx, { user: AGENT });
    expect(emu.store.userByEmail(AGENT)!.status.text).toBe('');
  });
});
