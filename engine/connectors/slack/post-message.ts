// chat.postMessage to a channel (id or #name), a member (id) or a person by e-mail (users.lookupByEmail →
// conversations.open → their DM with the app), with Block Kit blocks or a caller card built from plain fields.
// Given a call id it posts once per call: the message's channel and ts are kept on the call session (role
// `slack:<key>`); a later run updates that message (chat.update) or leaves it. A worker that dies between Slack's
// answer and that bookkeeping leaves a reservation behind, and the next attempt finds the message it posted by
// the metadata every such message carries (conversations.history with include_all_metadata) instead of posting again.
import { z } from 'zod';
import type { CallSessionPort } from '../../core/call-session';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { createSlackClient, type SlackClient } from './client';
import { findSlackUserByEmail, slackCallOf } from './find-user-by-email';

export const METADATA_EVENT = 'patchbay_call_message';

/** A caller card in words: Patchbay turns it into Block Kit (header, fields, a button to the CRM record). */
export const callerCardSchema = z.object({
  title: z.string().min(1).max(150),
  subtitle: z.string().max(3000).nullish(),
  fields: z.record(z.string().max(100), z.union([z.string().max(2000), z.number()]).nullish()).default({}),
  linkUrl: z.string().max(3000).nullish(),
  linkLabel: z.string().max(75).default('Open in CRM'),
});
export type CallerCard = z.infer<typeof callerCardSchema>;

/** Block Kit for a caller card. Empty fields are left out. */
export function callerCardBlocks(card: CallerCard): unknown[] {
  const fields = Object.entries(card.fields).filter(([, v]) => v !== null && v !== undefined && v !== '').slice(0, 10)
    .map(([k, v]) => ({ type: 'mrkdwn', text: `*${escapeMrkdwn(k)}*\n${escapeMrkdwn(String(v))}` }));
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: card.title.slice(0, 150), emoji: true } }];
  if (card.subtitle) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(card.subtitle) } });
  if (fields.length) blocks.push({ type: 'section', fields });
  if (card.linkUrl && /^https?:\/\//i.test(card.linkUrl)) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: 'open_crm', text: { type: 'plain_text', text: card.linkLabel }, url: card.linkUrl }] });
  }
  return blocks;
}

const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;
const USER_ID = /^[UW][A-Z0-9]{6,}$/;

/** Where `to` points, as a conversation id Slack's history can be read from. */
export async function resolveConversation(call: ConnectorCall, slack: SlackClient, to: string): Promise<string> {
  const t = to.trim();
  if (CHANNEL_ID.test(t)) return t;
  if (t.includes('@')) {
    const user = await findSlackUserByEmail(call, t);
    if (!user) throw new PatchbayError('not_found', `No Slack member has the e-mail ${t}`, { path: ['to'] });
    return openDm(slack, user.id);
  }
  if (USER_ID.test(t)) return openDm(slack, t);
  const name = t.replace(/^#/, '');
  let cursor: string | undefined;
  do {
    const page = await slack.api<{ channels?: { id: string; name?: string }[]; response_metadata?: { next_cursor?: string } }>('conversations.list', { types: 'public_channel,private_channel', limit: 200, exclude_archived: true, cursor }, { retry: true });
    const hit = page.channels?.find((c) => c.name === name);
    if (hit) return hit.id;
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  throw new PatchbayError('not_found', `Slack has no channel #${name} the app can see: invite the app to it, or give its id`, { path: ['to'] });
}

async function openDm(slack: SlackClient, userId: string): Promise<string> {
  const res = await slack.api<{ channel?: { id: string } }>('conversations.open', { users: userId }, { retry: true });
  if (!res.channel?.id) throw new PatchbayError('upstream_error', 'Slack opened no conversation with the member');
  return res.channel.id;
}

interface MessageRecord { channel: string; ts?: string; reservedAt?: string; runId?: string; key: string }

/** A reservation younger than this, by another run, is a post in flight: that run finishes it. Older: its worker died. */
const IN_FLIGHT_MS = 5 * 60_000;

/** The message this call's earlier attempt posted, found by its metadata (newest first, since the reservation). */
async function findPosted(slack: SlackClient, channel: string, key: string, since: string): Promise<string | null> {
  const oldest = Math.max(0, Date.parse(since) / 1000 - 120).toFixed(6);
  let cursor: string | undefined;
  let joined = false;
  do {
    type HistoryPage = { messages?: { ts: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[]; response_metadata?: { next_cursor?: string } };
    const args = { channel, oldest, include_all_metadata: true, limit: 200, cursor };
    let page = await slack.api<HistoryPage>('conversations.history', args, { retry: true, allow: joined ? [] : ['not_in_channel'] });
    if (!page.ok) {
      // Posted to a public channel the app is not in (chat:write.public): it must join to read the history.
      await slack.api('conversations.join', { channel }, { retry: true });
      joined = true;
      page = await slack.api<HistoryPage>('conversations.history', args, { retry: true });
    }
    const hit = page.messages?.find((m) => m.metadata?.event_type === METADATA_EVENT && m.metadata.event_payload?.key === key);
    if (hit) return hit.ts;
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return null;
}

export const postMessageBlock = defineBlock({
  id: 'slack.postMessage',
  effect: { what: 'Post a message in Slack' },
  version: 1,
  title: 'Slack: post a message',
  description: 'Posts to a channel, a member or a person by e-mail (their DM with the app): text, Block Kit blocks or a caller card. With a call id, once per call (a later run updates the same message or leaves it).',
  category: 'Messaging',
  icon: 'message-square',
  connector: 'slack',
  params: z.object({
    to: z.string().min(1).max(320).describe('#channel, channel id, member id, or an e-mail address (=trigger.agentEmail)'),
    text: z.string().max(40_000).describe('The message (also the notification text when blocks are given)'),
    blocks: z.array(z.record(z.string(), z.unknown())).max(50).nullish().describe('Block Kit blocks (JSON)'),
    card: callerCardSchema.nullish().describe('A caller card: title, subtitle, fields, linkUrl (turned into Block Kit)'),
    callId: z.string().max(200).nullish().describe('Post once per call: =trigger.callId'),
    key: z.string().regex(/^[a-z0-9_-]{1,40}$/).default('card').describe('Which message of the call (several per call need different keys)'),
    ifPosted: z.enum(['update', 'keep']).default('keep').describe('When this call\'s message was already posted: update it, or leave it'),
    fallbackTo: z.string().max(320).nullish().describe('Where to post when `to` names nobody in Slack (an agent without a Slack account): e.g. #calls'),
  }),
  output: z.object({ action: z.enum(['created', 'updated', 'unchanged']), channel: z.string(), ts: z.string() }),
  ports: OUT_PORT,
  summarize: (p) => `to ${String(p.to ?? '')}`,
  async run(ctx, p) {
    const call = slackCallOf(ctx, await ctx.connections.get('slack'));
    const slack = createSlackClient(call);
    const blocks = p.blocks ?? (p.card ? callerCardBlocks(p.card) : undefined);
    const content = { text: p.text, ...(blocks ? { blocks } : {}) };
    const role = `slack:${p.key}`;
    const calls = p.callId ? ctx.calls : undefined;
    let prior = calls ? (await calls.get(p.callId!))?.records[role] as MessageRecord | undefined : undefined;

    if (prior?.ts) {
      if (p.ifPosted === 'keep') return { output: { action: 'unchanged' as const, channel: prior.channel, ts: prior.ts } };
      await slack.api('chat.update', { channel: prior.channel, ts: prior.ts, ...content }, { retry: true });
      return { output: { action: 'updated' as const, channel: prior.channel, ts: prior.ts } };
    }
    const channel = prior?.channel ?? await resolveConversation(call, slack, p.to).catch((err: unknown) => {
      if (p.fallbackTo && err instanceof PatchbayError && err.code === 'not_found') return resolveConversation(call, slack, p.fallbackTo);
      throw err;
    });
    const key = `${p.callId ?? ''}:${p.key}`;
    if (calls && !prior && calls.claimRecord) {
      // Reserve atomically: of two runs of the same call at once, one posts.
      const claim = await calls.claimRecord(p.callId!, role, { channel, key, reservedAt: new Date().toISOString(), runId: ctx.runId } satisfies MessageRecord);
      if (!claim.claimed) prior = claim.current as MessageRecord;
      else return { output: await post(slack, calls, p.callId!, role, channel, key, content) };
    }
    if (prior?.ts) return { output: { action: 'unchanged' as const, channel: prior.channel, ts: prior.ts } };
    if (calls && prior?.reservedAt && prior.runId && prior.runId !== ctx.runId && Date.now() - Date.parse(prior.reservedAt) < IN_FLIGHT_MS) {
      return { output: { action: 'unchanged' as const, channel: prior.channel, ts: '' } };
    }
    if (calls && prior?.reservedAt) {
      // An earlier attempt reserved this message and may have posted it before it stopped.
      const ts = await findPosted(slack, prior.channel, key, prior.reservedAt);
      if (ts) {
        await calls.saveRecord(p.callId!, role, { channel: prior.channel, ts, key } satisfies MessageRecord);
        return { output: { action: 'unchanged' as const, channel: prior.channel, ts } };
      }
    }
    if (calls) await calls.saveRecord(p.callId!, role, { channel, key, reservedAt: (prior?.reservedAt ?? new Date().toISOString()), runId: ctx.runId } satisfies MessageRecord);
    if (calls) return { output: await post(slack, calls, p.callId!, role, channel, key, content) };
    const res = await slack.api<{ channel: string; ts: string }>('chat.postMessage', { channel, ...content, unfurl_links: false });
    return { output: { action: 'created' as const, channel: res.channel, ts: res.ts } };
  },
});

/** Posts the call's message with metadata naming it, then keeps its channel and ts on the session. */
async function post(slack: SlackClient, calls: CallSessionPort, callId: string, role: string, channel: string, key: string, content: Record<string, unknown>) {
  const res = await slack.api<{ channel: string; ts: string }>('chat.postMessage', {
    channel, ...content, unfurl_links: false, metadata: { event_type: METADATA_EVENT, event_payload: { key, call_id: callId } },
  });
  await calls.saveRecord(callId, role, { channel: res.channel, ts: res.ts, key } satisfies MessageRecord);
  return { action: 'created' as const, channel: res.channel, ts: res.ts };
}
