// Slack's official Web API SDK (@slack/web-api 8, pointed at the emulator with slackApiUrl) works against the
// emulator unchanged: messages with blocks and metadata, updates, DMs, member lookups (users_not_found as the SDK's
// platform error), statuses, cursor paging through paginate(), 429 + Retry-After, bad tokens and the OAuth v2 exchange.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, LogLevel, WebClient, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { startSlackEmulator, type SlackEmulator } from './emulator';

const BOT = 'xoxb-sdk-bot';
const ADMIN = 'xoxp-sdk-admin';
let emu: SlackEmulator;
/** The error a call is refused with (a call that succeeds fails the test). */
async function refused<E = WebAPIPlatformError>(p: Promise<unknown>): Promise<E> {
  return p.then(() => { throw new Error('expected Slack to refuse the call'); }, (e: unknown) => e as E);
}
const client = (token: string, extra: ConstructorParameters<typeof WebClient>[1] = {}) =>
  new WebClient(token, { slackApiUrl: `${emu.url}/api/`, retryConfig: { retries: 0 }, ...extra });

beforeAll(async () => {
  emu = await startSlackEmulator({ token: BOT, adminUserToken: ADMIN, users: 7, oauth: { clientId: 'sdk-client', clientSecret: 'sdk-secret' } });
});
afterAll(async () => { await emu?.close(); });

describe('@slack/web-api against the Slack emulator', () => {
  it('auth.test names the workspace and the bot', async () => {
    const r = await client(BOT).auth.test();
    expect(r).toMatchObject({ ok: true, team: 'Patchbay Demo', team_id: emu.store.team.id, user_id: emu.botUserId, bot_id: 'B0PATCHBAY' });
    expect(r.response_metadata?.scopes).toContain('chat:write');
  });

  it('chat.postMessage with blocks and metadata, then chat.update; conversations.history reads them back', async () => {
    const web = client(BOT);
    const ch = emu.store.channelByName('calls')!.id;
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Incoming call* from Barbara' } }];
    const posted = await web.chat.postMessage({ channel: '#calls', text: 'Incoming call from Barbara', blocks, metadata: { event_type: 'call_card', event_payload: { call_id: 'c-1' } } });
    expect(posted).toMatchObject({ ok: true, channel: ch, message: { text: 'Incoming call from Barbara', blocks, bot_id: 'B0PATCHBAY' } });
    const updated = await web.chat.update({ channel: ch, ts: posted.ts!, text: 'Call with Barbara (answered)' });
    expect(updated).toMatchObject({ ok: true, ts: posted.ts, text: 'Call with Barbara (answered)' });
    // Posting to a public channel needs no membership (chat:write.public); reading its history does.
    expect((await refused(web.conversations.history({ channel: ch }))).data.error).toBe('not_in_channel');
    const joined = await web.conversations.join({ channel: ch });
    expect(joined.channel).toMatchObject({ id: ch, is_member: true });
    const hist = await web.conversations.history({ channel: ch, include_all_metadata: true, limit: 10 });
    const m = hist.messages!.find((x) => x.ts === posted.ts)!;
    expect(m).toMatchObject({ text: 'Call with Barbara (answered)', metadata: { event_type: 'call_card', event_payload: { call_id: 'c-1' } } });
    expect(emu.store.messages(ch).find((x) => x.ts === posted.ts)!.edited).not.toBeNull();
    // Block Kit that is not: Slack's invalid_blocks, raised by the SDK as a platform error.
    const err = await refused<WebAPIPlatformError>(web.chat.postMessage({ channel: ch, text: 'x', blocks: [{ type: 'nope' } as never] }));
    expect(err.code).toBe(ErrorCode.PlatformError);
    expect(err.data).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });

  it('users.lookupByEmail finds a member; an unknown e-mail is the platform error users_not_found', async () => {
    const web = client(BOT);
    const someone = emu.store.users.find((u) => !u.isBot && !u.isAdmin)!;
    const r = await web.users.lookupByEmail({ email: someone.email });
    expect(r.user).toMatchObject({ id: someone.id, real_name: someone.realName, profile: { email: someone.email } });
    const err = await refused<WebAPIPlatformError>(web.users.lookupByEmail({ email: 'nobody@example.com' }));
    expect(err.code).toBe(ErrorCode.PlatformError);
    expect(err.data.error).toBe('users_not_found');
  });

  it('DM: conversations.open then chat.postMessage to the D channel', async () => {
    const web = client(BOT);
    const someone = emu.store.users.find((u) => !u.isBot && !u.isAdmin)!;
    const open = await web.conversations.open({ users: someone.id });
    const posted = await web.chat.postMessage({ channel: open.channel!.id!, text: 'hi' });
    expect(posted.channel).toBe(open.channel!.id);
    expect(emu.store.channels.find((c) => c.id === open.channel!.id)).toMatchObject({ isIm: true, imUser: someone.id });
  });

  it('users.profile.set: the admin sets and clears a member\'s status; a bot token is not_allowed_token_type', async () => {
    const someone = emu.store.users.find((u) => !u.isBot && !u.isAdmin)!;
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const set = await client(ADMIN).users.profile.set({ user: someone.id, profile: { status_text: 'On a call', status_emoji: ':telephone_receiver:', status_expiration: exp } });
    expect(set.profile).toMatchObject({ status_text: 'On a call', status_emoji: ':telephone_receiver:', status_expiration: exp });
    expect(someone.status).toEqual({ text: 'On a call', emoji: ':telephone_receiver:', expiration: exp });
    const got = await client(ADMIN).users.profile.get({ user: someone.id });
    expect(got.profile?.status_text).toBe('On a call');
    await client(ADMIN).users.profile.set({ user: someone.id, profile: { status_text: '', status_emoji: '' } });
    expect(someone.status).toEqual({ text: '', emoji: '', expiration: 0 });
    const err = await refused<WebAPIPlatformError>(client(BOT).users.profile.set({ user: someone.id, profile: { status_text: 'x' } }));
    expect(err.data.error).toBe('not_allowed_token_type');
  });

  it('paginate() walks users.list page by page through response_metadata.next_cursor', async () => {
    const ids: string[] = [];
    let pages = 0;
    for await (const page of client(BOT).paginate('users.list', { limit: 3 })) {
      pages++;
      ids.push(...((page as unknown as { members: { id: string }[] }).members.map((m) => m.id)));
    }
    expect(ids).toEqual(emu.store.users.map((u) => u.id));
    expect(pages).toBe(Math.ceil(emu.store.users.length / 3));
    const bad = await refused<WebAPIPlatformError>(client(BOT).users.list({ cursor: 'not-a-cursor' }));
    expect(bad.data.error).toBe('invalid_cursor');
  });

  it('a bad token is invalid_auth; a missing one not_authed', async () => {
    const err = await refused<WebAPIPlatformError>(client('xoxb-wrong').auth.test());
    expect(err.data).toMatchObject({ ok: false, error: 'invalid_auth' });
    const none = await refused<WebAPIPlatformError>(new WebClient(undefined, { slackApiUrl: `${emu.url}/api/`, retryConfig: { retries: 0 } }).auth.test());
    expect(none.data.error).toBe('not_authed');
  });

  it('429 with Retry-After: the SDK reports it (rejectRateLimitedCalls) or waits it out and succeeds', async () => {
    const limited = await startSlackEmulator({ token: BOT, users: 1, rateLimit: 1, rateWindowMs: 1000 });
    try {
      const mk = (reject: boolean) => new WebClient(BOT, { slackApiUrl: `${limited.url}/api/`, rejectRateLimitedCalls: reject, logLevel: LogLevel.ERROR, retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 } });
      await mk(true).auth.test();
      const err = await refused<WebAPIRateLimitedError>(mk(true).auth.test());
      expect(err.code).toBe(ErrorCode.RateLimitedError);
      expect(err.retryAfter).toBeGreaterThanOrEqual(1);
      const waited = await mk(false).auth.test();
      expect(waited.ok).toBe(true);
      expect(limited.stats.rateLimited).toBeGreaterThanOrEqual(2);
    } finally { await limited.close(); }
  });

  it('oauth.v2.access exchanges an authorize code (client credentials as the SDK sends them)', async () => {
    const authorize = new URL(`${emu.url}/oauth/v2/authorize`);
    authorize.search = new URLSearchParams({ client_id: 'sdk-client', scope: 'chat:write,users:read.email', user_scope: 'users.profile:write', redirect_uri: 'http://127.0.0.1:9/cb', state: 'x' }).toString();
    const back = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
    const code = back.searchParams.get('code')!;
    const res = await new WebClient(undefined, { slackApiUrl: `${emu.url}/api/`, retryConfig: { retries: 0 } }).oauth.v2.access({ client_id: 'sdk-client', client_secret: 'sdk-secret', code, redirect_uri: 'http://127.0.0.1:9/cb' });
    expect(res).toMatchObject({ ok: true, token_type: 'bot', scope: 'chat:write,users:read.email', bot_user_id: emu.botUserId, team: { id: emu.store.team.id }, authed_user: { token_type: 'user', scope: 'users.profile:write' } });
    const me = await client(res.access_token!).auth.test();
    expect(me.user_id).toBe(emu.botUserId);
    // The bot token got only the scopes granted: reading history is missing_scope, with needed/provided.
    const err = await refused<WebAPIPlatformError>(client(res.access_token!).conversations.history({ channel: emu.store.channelByName('calls')!.id }));
    expect(err.data).toMatchObject({ error: 'missing_scope', needed: 'channels:history,groups:history,im:history', provided: 'chat:write,users:read.email' });
    const again = await refused<WebAPIPlatformError>(new WebClient(undefined, { slackApiUrl: `${emu.url}/api/`, retryConfig: { retries: 0 } }).oauth.v2.access({ client_id: 'sdk-client', client_secret: 'sdk-secret', code }));
    expect(again.data.error).toBe('invalid_code');
  });
});
