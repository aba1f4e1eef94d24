// A local Slack workspace speaking the Web API as https://docs.slack.dev/reference/methods documents it:
// every method is `POST|GET /api/<method>` with its arguments in the query string, a form-encoded body or a JSON
// body; the token comes as `Authorization: Bearer` (or a `token` argument in a form/query); answers are HTTP 200
// with `{"ok":true,…}` or `{"ok":false,"error":"…"}` (not_authed, invalid_auth, missing_scope with needed/provided,
// channel_not_found, users_not_found, …); past the request budget HTTP 429 with Retry-After and
// `{"ok":false,"error":"ratelimited"}`; lists page with `cursor`/`limit` and `response_metadata.next_cursor`.
// OAuth v2: `GET /oauth/v2/authorize` (redirects back with a code) and `oauth.v2.access` (client id and secret as
// HTTP Basic or form fields) issuing a bot token (xoxb-) and the installing user's token (xoxp-).
// Methods: auth.test, oauth.v2.access, chat.postMessage, chat.update, conversations.open, conversations.join, conversations.history,
// conversations.list, users.list, users.info, users.lookupByEmail, users.profile.get, users.profile.set.
import { randomBytes } from 'node:crypto';
import { startEmulator, type EmuRequest, type EmuResponse, type RunningEmulator } from '../../kit/emulator-server';
import { syntheticPerson } from '../../kit/synthetic';

export interface SlackUser {
  id: string;
  name: string;
  realName: string;
  email: string;
  isAdmin: boolean;
  isBot: boolean;
  deleted: boolean;
  tz: string;
  status: { text: string; emoji: string; expiration: number };
}

export interface SlackMessage {
  ts: string;
  channel: string;
  /** The bot user that posted it. */
  user: string;
  text: string;
  blocks: unknown[] | null;
  metadata: { event_type: string; event_payload: Record<string, unknown> } | null;
  edited: { user: string; ts: string } | null;
}

/** `botMember`: the app's bot user is in the channel (it can read its history; posting needs that or chat:write.public). */
export interface SlackChannel { id: string; name: string; isIm: boolean; isPrivate: boolean; imUser?: string; botMember: boolean }

/** One users.profile.set that changed a status (what the agent's colleagues see change). */
export interface StatusChange { user: string; by: string; text: string; emoji: string; expiration: number; at: string }

interface TokenInfo { kind: 'bot' | 'user'; userId: string; scopes: string[] }

export interface SlackEmulatorOptions {
  port?: number;
  /** A bot token (xoxb-…) accepted with every bot scope; default xoxb-patchbay-demo. */
  token?: string;
  /** A user token (xoxp-…) of the workspace's admin, with users.profile:write; default xoxp-patchbay-demo-admin. */
  adminUserToken?: string;
  /** Workspace members besides the admin: emails (and names), or how many synthetic agents (default 5, the CRM emulators' agents). */
  users?: number | { email: string; realName?: string; isAdmin?: boolean }[];
  channels?: string[];
  /** Channels the bot is already a member of (default: general). */
  botChannels?: string[];
  rateLimit?: number;
  rateWindowMs?: number;
  /** The OAuth app Patchbay installs with. */
  oauth?: { clientId: string; clientSecret: string };
}

export interface SlackEmulatorStore {
  team: { id: string; name: string; domain: string };
  users: SlackUser[];
  channels: SlackChannel[];
  /** Every message posted, in order (edits change them in place). */
  messages(channel?: string): SlackMessage[];
  statusChanges(user?: string): StatusChange[];
  userByEmail(email: string): SlackUser | undefined;
  channelByName(name: string): SlackChannel | undefined;
}

export type SlackEmulator = RunningEmulator & {
  store: SlackEmulatorStore;
  /** Revokes a token (an uninstalled app): later calls answer invalid_auth. */
  revokeToken(token: string): void;
  /** Calls per Web API method. */
  calls: Map<string, number>;
  /** The bot user's id (the author of every message the app posts). */
  botUserId: string;
};

const BOT_SCOPES = ['chat:write', 'chat:write.public', 'channels:join', 'im:write', 'im:history', 'channels:read', 'channels:history', 'groups:history', 'users:read', 'users:read.email'];
const USER_SCOPES = ['users.profile:write', 'users.profile:read', 'users:read', 'users:read.email'];

/** What each method needs (any one of the listed scopes). */
const NEEDS: Record<string, string[]> = {
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'conversations.open': ['im:write'],
  'conversations.join': ['channels:join'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history'],
  'conversations.list': ['channels:read'],
  'users.list': ['users:read'],
  'users.info': ['users:read'],
  'users.lookupByEmail': ['users:read.email'],
  'users.profile.get': ['users.profile:read', 'users:read'],
  'users.profile.set': ['users.profile:write'],
};

class SlackFail extends Error {
  constructor(readonly error: string, readonly extra: Record<string, unknown> = {}) { super(error); }
}

const ok = (body: Record<string, unknown>, headers: Record<string, string> = {}): EmuResponse => ({ status: 200, body: { ok: true, ...body }, headers });
const fail = (error: string, extra: Record<string, unknown> = {}): EmuResponse => ({ status: 200, body: { ok: false, error, ...extra } });

/** Arguments from the query string, a form body or a JSON body, as Slack reads them. */
function argsOf(req: EmuRequest): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(req.query.entries());
  if (req.body && typeof req.body === 'object' && !Array.isArray(req.body)) Object.assign(out, req.body);
  return out;
}

/** A form field holding JSON (blocks, metadata, profile), or the value itself in a JSON body. */
function jsonArg(v: unknown, error: string): unknown {
  if (typeof v !== 'string') return v;
  if (!v.trim()) return undefined;
  try { return JSON.parse(v); } catch { throw new SlackFail(error); }
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function limitArg(v: unknown, def: number): number {
  const s = str(v);
  if (s === undefined || s === '') return def;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new SlackFail('invalid_limit');
  return n === 0 ? def : Math.min(n, 1000);
}

const encodeCursor = (kind: string, after: string) => Buffer.from(`${kind}:${after}`).toString('base64');
function decodeCursor(kind: string, raw: unknown): string | null {
  const s = str(raw);
  if (!s) return null;
  const m = new RegExp(`^${kind}:(.+)$`).exec(Buffer.from(s, 'base64').toString('utf8'));
  if (!m) throw new SlackFail('invalid_cursor');
  return m[1];
}

const BLOCK_TYPES = new Set(['section', 'divider', 'header', 'context', 'actions', 'image', 'input', 'rich_text', 'video', 'file', 'markdown']);

function checkBlocks(raw: unknown): unknown[] | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const blocks = jsonArg(raw, 'invalid_blocks_format');
  if (!Array.isArray(blocks)) throw new SlackFail('invalid_blocks_format');
  if (blocks.length > 50) throw new SlackFail('invalid_blocks', { errors: ['must contain at most 50 blocks'] });
  blocks.forEach((b, i) => {
    const t = b && typeof b === 'object' ? (b as Record<string, unknown>).type : undefined;
    if (typeof t !== 'string' || !BLOCK_TYPES.has(t)) throw new SlackFail('invalid_blocks', { errors: [`unsupported type \`${String(t)}\` [json-pointer:/blocks/${i}/type]`] });
    const text = (b as Record<string, unknown>).text as Record<string, unknown> | undefined;
    if ((t === 'section' || t === 'header') && text !== undefined && (typeof text !== 'object' || typeof text.text !== 'string' || !['mrkdwn', 'plain_text'].includes(String(text.type)))) {
      throw new SlackFail('invalid_blocks', { errors: [`must provide a text object with type and text [json-pointer:/blocks/${i}/text]`] });
    }
    if (t === 'section' && text === undefined && !(b as Record<string, unknown>).fields) throw new SlackFail('invalid_blocks', { errors: [`must provide text or fields [json-pointer:/blocks/${i}]`] });
  });
  return blocks;
}

export async function startSlackEmulator(o: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const team = { id: 'T0PATCHBAY', name: 'Patchbay Demo', domain: 'patchbay-demo' };
  const botUserId = 'U0BOTPATCH';
  const appId = 'A0PATCHBAY';
  const users: SlackUser[] = [];
  let seq = 0;
  const newId = (prefix: string) => `${prefix}0${(++seq).toString(36).toUpperCase().padStart(7, '0')}`;
  const addUser = (email: string, realName: string, isAdmin: boolean, isBot = false, id?: string): SlackUser => {
    const u: SlackUser = { id: id ?? newId('U'), name: email.split('@')[0].replace(/[^a-z0-9._-]/gi, '').toLowerCase(), realName, email: email.toLowerCase(), isAdmin, isBot, deleted: false, tz: 'America/Los_Angeles', status: { text: '', emoji: '', expiration: 0 } };
    users.push(u);
    return u;
  };
  const admin = addUser('admin@patchbay-demo.test', 'Workspace Admin', true);
  addUser('patchbay@bots.patchbay-demo.test', 'Patchbay', false, true, botUserId);
  if (Array.isArray(o.users)) for (const u of o.users) addUser(u.email, u.realName ?? u.email.split('@')[0], u.isAdmin ?? false);
  else for (let i = 0; i < (o.users ?? 5); i++) {
    // The same agents as the CRM emulators' users (HubSpot owners …): an agent is one person everywhere.
    const p = syntheticPerson(9_000_000 + i);
    addUser(`${p.firstName}.${p.lastName}@patchbay-demo.test`.toLowerCase().replace(/\s+/g, ''), `${p.firstName} ${p.lastName}`, false);
  }
  const channels: SlackChannel[] = (o.channels ?? ['general', 'calls', 'sales']).map((name) => ({ id: newId('C'), name, isIm: false, isPrivate: false, botMember: false }));
  for (const c of channels) if ((o.botChannels ?? ['general']).includes(c.name)) c.botMember = true;
  const messages: SlackMessage[] = [];
  const statusChanges: StatusChange[] = [];
  const calls = new Map<string, number>();
  const tokenInfo = new Map<string, TokenInfo>();
  const botToken = o.token ?? 'xoxb-patchbay-demo';
  const adminToken = o.adminUserToken ?? 'xoxp-patchbay-demo-admin';
  tokenInfo.set(botToken, { kind: 'bot', userId: botUserId, scopes: BOT_SCOPES });
  tokenInfo.set(adminToken, { kind: 'user', userId: admin.id, scopes: USER_SCOPES });
  const codes = new Map<string, { redirectUri: string | null; scopes: string[]; userScopes: string[] }>();
  let lastTs = 0;
  const nextTs = () => {
    // Unique, increasing "seconds.micros" timestamps, as Slack's message ids are.
    const now = Date.now() * 1000;
    lastTs = Math.max(now, lastTs + 1);
    return `${Math.floor(lastTs / 1e6)}.${String(lastTs % 1e6).padStart(6, '0')}`;
  };

  const findUser = (id: unknown) => users.find((u) => u.id === str(id));
  const channelOf = (raw: unknown, forPosting: boolean): SlackChannel => {
    const v = (str(raw) ?? '').trim();
    if (!v) throw new SlackFail('channel_not_found');
    const byId = channels.find((c) => c.id === v);
    if (byId) return byId;
    const name = v.replace(/^#/, '');
    const byName = channels.find((c) => !c.isIm && c.name === name);
    if (byName && forPosting) return byName;
    // A user id as the channel opens (or reuses) the app's DM with that user.
    const user = forPosting ? findUser(v) : undefined;
    if (user && !user.deleted) return openIm(user);
    throw new SlackFail('channel_not_found');
  };
  const openIm = (u: SlackUser): SlackChannel => {
    let im = channels.find((c) => c.isIm && c.imUser === u.id);
    if (!im) { im = { id: newId('D'), name: u.id, isIm: true, isPrivate: true, imUser: u.id, botMember: true }; channels.push(im); }
    return im;
  };
  const wireMessage = (m: SlackMessage, withMetadata: boolean) => ({
    type: 'message', user: m.user, bot_id: 'B0PATCHBAY', app_id: appId, text: m.text, ts: m.ts, team: team.id,
    ...(m.blocks ? { blocks: m.blocks } : {}), ...(m.edited ? { edited: m.edited } : {}), ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  });
  const wireUser = (u: SlackUser, withEmail: boolean) => ({
    id: u.id, team_id: team.id, name: u.name, deleted: u.deleted, real_name: u.realName, tz: u.tz, is_admin: u.isAdmin, is_owner: u.isAdmin, is_bot: u.isBot, is_app_user: false,
    profile: wireProfile(u, withEmail),
  });
  const wireProfile = (u: SlackUser, withEmail: boolean) => ({
    real_name: u.realName, display_name: u.name, real_name_normalized: u.realName, display_name_normalized: u.name,
    status_text: u.status.text, status_emoji: u.status.emoji, status_expiration: u.status.expiration, ...(withEmail ? { email: u.email } : {}), team: team.id,
  });

  type Method = (a: Record<string, unknown>, t: TokenInfo, req: EmuRequest) => EmuResponse;
  const methods: Record<string, Method> = {
    'auth.test': (_a, t) => ok({ url: `https://${team.domain}.slack.com/`, team: team.name, user: findUser(t.userId)?.name, team_id: team.id, user_id: t.userId, ...(t.kind === 'bot' ? { bot_id: 'B0PATCHBAY' } : {}), is_enterprise_install: false }),
    'chat.postMessage': (a, t) => {
      const ch = channelOf(a.channel, true);
      // A bot posts where it is a member, or in any public channel with chat:write.public.
      if (t.kind === 'bot' && !ch.botMember && !(ch.isPrivate === false && t.scopes.includes('chat:write.public'))) throw new SlackFail('not_in_channel');
      const text = str(a.text) ?? '';
      const blocks = checkBlocks(a.blocks);
      const attachments = a.attachments ? jsonArg(a.attachments, 'invalid_attachments') : undefined;
      if (!text && !blocks && !attachments) throw new SlackFail('no_text');
      if (text.length > 40_000) throw new SlackFail('msg_too_long');
      let metadata: SlackMessage['metadata'] = null;
      if (a.metadata !== undefined && a.metadata !== '') {
        const md = jsonArg(a.metadata, 'invalid_metadata_format') as Record<string, unknown> | undefined;
        if (!md || typeof md !== 'object' || typeof md.event_type !== 'string' || !md.event_payload || typeof md.event_payload !== 'object') throw new SlackFail('invalid_metadata_schema');
        metadata = { event_type: md.event_type, event_payload: md.event_payload as Record<string, unknown> };
      }
      const m: SlackMessage = { ts: nextTs(), channel: ch.id, user: t.kind === 'bot' ? botUserId : t.userId, text, blocks, metadata, edited: null };
      messages.push(m);
      return ok({ channel: ch.id, ts: m.ts, message: wireMessage(m, true) });
    },
    'chat.update': (a, t) => {
      const ch = channelOf(a.channel, false);
      const ts = str(a.ts);
      const m = messages.find((x) => x.channel === ch.id && x.ts === ts);
      if (!m) throw new SlackFail('message_not_found');
      if (m.user !== (t.kind === 'bot' ? botUserId : t.userId)) throw new SlackFail('cant_update_message');
      const text = str(a.text);
      const blocks = a.blocks !== undefined ? checkBlocks(a.blocks) : undefined;
      if (text === undefined && blocks === undefined) throw new SlackFail('no_text');
      if (text !== undefined) m.text = text;
      if (blocks !== undefined) m.blocks = blocks;
      m.edited = { user: m.user, ts: nextTs() };
      return ok({ channel: ch.id, ts: m.ts, text: m.text, message: wireMessage(m, false) });
    },
    'conversations.open': (a) => {
      const ids = (str(a.users) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (!ids.length && !a.channel) throw new SlackFail('users_list_not_supplied');
      if (ids.length > 1) throw new SlackFail('not_supported', { detail: 'group DMs are not emulated' });
      if (a.channel) { const ch = channelOf(a.channel, false); return ok({ channel: { id: ch.id } }); }
      const u = findUser(ids[0]);
      if (!u) throw new SlackFail('user_not_found');
      if (u.deleted) throw new SlackFail('user_disabled');
      const had = channels.some((c) => c.isIm && c.imUser === u.id);
      const im = openIm(u);
      return ok({ ...(had ? { already_open: true, no_op: true } : {}), channel: { id: im.id } });
    },
    'conversations.history': (a, t) => {
      const ch = channelOf(a.channel, false);
      if (t.kind === 'bot' && !ch.botMember) throw new SlackFail('not_in_channel');
      const limit = limitArg(a.limit, 100);
      const oldest = Number(str(a.oldest) ?? '0') || 0;
      const latest = Number(str(a.latest) ?? 'Infinity');
      const inclusive = ['true', '1'].includes(str(a.inclusive) ?? '');
      const withMeta = ['true', '1'].includes(str(a.include_all_metadata) ?? '');
      const after = decodeCursor('next_ts', a.cursor);
      // Newest first, as Slack answers.
      let list = messages.filter((m) => m.channel === ch.id).filter((m) => {
        const ts = Number(m.ts);
        return (inclusive ? ts >= oldest : ts > oldest) && (inclusive ? ts <= latest : ts < latest);
      }).reverse();
      if (after) list = list.filter((m) => Number(m.ts) < Number(after));
      const page = list.slice(0, limit);
      const more = list.length > limit;
      return ok({ messages: page.map((m) => wireMessage(m, withMeta)), has_more: more, pin_count: 0, response_metadata: { next_cursor: more ? encodeCursor('next_ts', page[page.length - 1].ts) : '' } });
    },
    'conversations.join': (a) => {
      const ch = channelOf(a.channel, false);
      if (ch.isIm || ch.isPrivate) throw new SlackFail('method_not_supported_for_channel_type');
      const already = ch.botMember;
      ch.botMember = true;
      return ok({ channel: { id: ch.id, name: ch.name, is_channel: true, is_member: true }, ...(already ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } } : {}) });
    },
    'conversations.list': (a) => {
      const limit = limitArg(a.limit, 100);
      const types = (str(a.types) ?? 'public_channel').split(',');
      const after = decodeCursor('channel', a.cursor);
      const all = channels.filter((c) => (c.isIm ? types.includes('im') : c.isPrivate ? types.includes('private_channel') : types.includes('public_channel')));
      const start = after ? all.findIndex((c) => c.id === after) + 1 : 0;
      const page = all.slice(start, start + limit);
      const more = start + limit < all.length;
      return ok({ channels: page.map((c) => (c.isIm ? { id: c.id, is_im: true, user: c.imUser } : { id: c.id, name: c.name, is_channel: true, is_private: c.isPrivate, is_member: c.botMember })), response_metadata: { next_cursor: more ? encodeCursor('channel', page[page.length - 1].id) : '' } });
    },
    'users.list': (a, t) => {
      const limit = limitArg(a.limit, 200);
      const after = decodeCursor('user', a.cursor);
      const start = after ? users.findIndex((u) => u.id === after) + 1 : 0;
      const page = users.slice(start, start + limit);
      const more = start + limit < users.length;
      return ok({ members: page.map((u) => wireUser(u, t.scopes.includes('users:read.email'))), cache_ts: Math.floor(Date.now() / 1000), response_metadata: { next_cursor: more ? encodeCursor('user', page[page.length - 1].id) : '' } });
    },
    'users.info': (a, t) => {
      const u = findUser(a.user);
      if (!u) throw new SlackFail('user_not_found');
      return ok({ user: wireUser(u, t.scopes.includes('users:read.email')) });
    },
    'users.lookupByEmail': (a) => {
      const email = (str(a.email) ?? '').trim().toLowerCase();
      if (!email) throw new SlackFail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: email'] } });
      const u = users.find((x) => x.email === email && !x.isBot);
      if (!u) throw new SlackFail('users_not_found');
      return ok({ user: wireUser(u, true) });
    },
    'users.profile.get': (a, t) => {
      const u = findUser(str(a.user) ?? t.userId);
      if (!u) throw new SlackFail('user_not_found');
      return ok({ profile: wireProfile(u, true) });
    },
    'users.profile.set': (a, t) => {
      if (t.kind === 'bot') throw new SlackFail('not_allowed_token_type');
      const caller = findUser(t.userId)!;
      const target = a.user !== undefined && a.user !== '' ? findUser(a.user) : caller;
      if (!target) throw new SlackFail('user_not_found');
      // Only admins may change someone else's profile ("This argument may only be specified by admins on paid teams").
      if (target.id !== caller.id && !caller.isAdmin) throw new SlackFail('not_admin');
      if (target.id !== caller.id && target.isAdmin && target.id !== admin.id) throw new SlackFail('cannot_update_admin_user');
      let profile: Record<string, unknown>;
      if (a.profile !== undefined && a.profile !== '') {
        const p = jsonArg(a.profile, 'invalid_profile');
        if (!p || typeof p !== 'object' || Array.isArray(p)) throw new SlackFail('invalid_profile');
        profile = p as Record<string, unknown>;
      } else if (str(a.name)) profile = { [str(a.name)!]: a.value ?? '' };
      else throw new SlackFail('invalid_arguments', { response_metadata: { messages: ['[ERROR] either profile or name and value are required'] } });
      const next = { ...target.status };
      if ('status_text' in profile) {
        const text = str(profile.status_text) ?? '';
        if (text.length > 100) throw new SlackFail('invalid_profile', { detail: 'status_text is limited to 100 characters' });
        next.text = text;
      }
      if ('status_emoji' in profile) {
        const emoji = str(profile.status_emoji) ?? '';
        if (emoji && !/^:[a-z0-9_+'-]+:$/.test(emoji)) throw new SlackFail('profile_set_failed', { detail: `status_emoji ${emoji} is not an emoji` });
        next.emoji = emoji;
      }
      if ('status_expiration' in profile) {
        const exp = Number(profile.status_expiration ?? 0);
        if (!Number.isInteger(exp) || exp < 0) throw new SlackFail('invalid_profile', { detail: 'status_expiration must be a Unix time in seconds' });
        next.expiration = exp;
      }
      // A status whose text and emoji are both empty is a cleared status.
      if (!next.text && !next.emoji) next.expiration = 0;
      if (next.text !== target.status.text || next.emoji !== target.status.emoji || next.expiration !== target.status.expiration) {
        target.status = next;
        statusChanges.push({ user: target.id, by: caller.id, ...next, at: new Date().toISOString() });
      }
      return ok({ profile: wireProfile(target, true), username: target.name });
    },
  };

  const extractToken = (req: EmuRequest): string | null => {
    const m = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? '').trim());
    if (m) return m[1].trim();
    // Tokens may also come as an argument, except in a JSON body (Slack refuses those).
    const isJson = String(req.headers['content-type'] ?? '').includes('json');
    const t = req.query.get('token') ?? (!isJson && req.body && typeof req.body === 'object' ? str((req.body as Record<string, unknown>).token) : undefined);
    return t ? t.trim() : null;
  };

  const oauthAccess = (req: EmuRequest): EmuResponse => {
    const a = argsOf(req);
    let clientId = str(a.client_id);
    let clientSecret = str(a.client_secret);
    const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? '').trim());
    if (basic) {
      const [id, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = id; clientSecret = rest.join(':');
    }
    if (!o.oauth || clientId !== o.oauth.clientId) return fail('invalid_client_id');
    if (clientSecret !== o.oauth.clientSecret) return fail('bad_client_secret');
    const code = str(a.code) ?? '';
    const grant = codes.get(code);
    if (!grant) return fail('invalid_code');
    if (grant.redirectUri && str(a.redirect_uri) !== grant.redirectUri) return fail('bad_redirect_uri');
    codes.delete(code);
    const bot = `xoxb-${team.id}-${randomBytes(12).toString('hex')}`;
    const user = `xoxp-${team.id}-${randomBytes(12).toString('hex')}`;
    tokenInfo.set(bot, { kind: 'bot', userId: botUserId, scopes: grant.scopes });
    let authedUser: Record<string, unknown> = { id: admin.id };
    if (grant.userScopes.length) {
      tokenInfo.set(user, { kind: 'user', userId: admin.id, scopes: grant.userScopes });
      authedUser = { id: admin.id, scope: grant.userScopes.join(','), access_token: user, token_type: 'user' };
    }
    return ok({ access_token: bot, token_type: 'bot', scope: grant.scopes.join(','), bot_user_id: botUserId, app_id: appId, team: { id: team.id, name: team.name }, enterprise: null, is_enterprise_install: false, authed_user: authedUser });
  };

  const authorize = (req: EmuRequest): EmuResponse => {
    const redirect = req.query.get('redirect_uri');
    if (!o.oauth || req.query.get('client_id') !== o.oauth.clientId) return { status: 400, body: 'Invalid client_id parameter', headers: { 'content-type': 'text/plain' } };
    if (!redirect) return { status: 400, body: 'Missing redirect_uri parameter', headers: { 'content-type': 'text/plain' } };
    const split = (s: string | null) => (s ?? '').split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);
    const scopes = split(req.query.get('scope'));
    const userScopes = split(req.query.get('user_scope'));
    const unknown = [...scopes.filter((s) => !BOT_SCOPES.includes(s)), ...userScopes.filter((s) => !USER_SCOPES.includes(s))];
    const u = new URL(redirect);
    const state = req.query.get('state');
    if (unknown.length) u.searchParams.set('error', 'invalid_scope');
    else {
      const code = `${team.id}.${randomBytes(12).toString('hex')}`;
      codes.set(code, { redirectUri: redirect, scopes, userScopes });
      u.searchParams.set('code', code);
    }
    if (state) u.searchParams.set('state', state);
    return { status: 302, headers: { location: u.toString() } };
  };

  const dispatch = (req: EmuRequest): EmuResponse => {
    const name = req.params.method;
    calls.set(name, (calls.get(name) ?? 0) + 1);
    if (name === 'oauth.v2.access') return oauthAccess(req);
    const method = methods[name];
    if (!method) return { status: 404, body: { ok: false, error: 'unknown_method', req_method: name } };
    const token = extractToken(req);
    if (!token) return fail('not_authed');
    const t = tokenInfo.get(token);
    if (!t) return fail('invalid_auth');
    // Methods only a user token may call say so before looking at scopes.
    if (name === 'users.profile.set' && t.kind === 'bot') return fail('not_allowed_token_type');
    const needed = NEEDS[name];
    const scopeHeaders = { 'x-oauth-scopes': t.scopes.join(','), ...(needed ? { 'x-accepted-oauth-scopes': needed.join(',') } : {}) };
    if (needed && !needed.some((s) => t.scopes.includes(s))) return { ...fail('missing_scope', { needed: needed.join(','), provided: t.scopes.join(',') }), headers: scopeHeaders };
    try {
      const r = method(argsOf(req), t, req);
      return { ...r, headers: { ...scopeHeaders, ...r.headers } };
    } catch (err) {
      if (err instanceof SlackFail) return { ...fail(err.error, err.extra), headers: scopeHeaders };
      throw err;
    }
  };

  const emu = await startEmulator({
    name: 'slack',
    // Methods under /api/ as on slack.com; also at the root, so a base URL of just the emulator's address works.
    routes: [['POST', '/api/:method', dispatch], ['GET', '/api/:method', dispatch], ['GET', '/oauth/v2/authorize', authorize], ['POST', '/:method', dispatch], ['GET', '/:method', dispatch]],
    extractToken,
    tokens: [],
    // Token checks are per method (dispatch): a missing token is Slack's not_authed, an unknown one invalid_auth.
    publicPaths: [/^(\/api)?\/[A-Za-z0-9.]+$/, /^\/oauth\/v2\/authorize$/],
    unauthorized: () => fail('not_authed'),
    notFound: (req) => ({ status: 404, body: { ok: false, error: 'unknown_method', req_method: req.path } }),
    rateLimit: {
      limit: o.rateLimit ?? 0,
      windowMs: o.rateWindowMs ?? 60_000,
      body: () => ({ ok: false, error: 'ratelimited' }),
    },
  }, o.port ?? 0);

  const store: SlackEmulatorStore = {
    team,
    users,
    channels,
    messages: (channel) => messages.filter((m) => !channel || m.channel === channel),
    statusChanges: (user) => statusChanges.filter((c) => !user || c.user === user),
    userByEmail: (email) => users.find((u) => u.email === email.toLowerCase()),
    channelByName: (name) => channels.find((c) => !c.isIm && c.name === name.replace(/^#/, '')),
  };
  return { ...emu, store, calls, botUserId, revokeToken: (t) => { tokenInfo.delete(t); } };
}
