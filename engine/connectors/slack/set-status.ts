// users.profile.set: a member's status (text, emoji, expiry). Setting someone else's status takes the token of a
// workspace admin (the user who installed the app with users.profile:write): the connection's user token.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { createSlackClient } from './client';
import { findSlackUserByEmail, slackCallOf } from './find-user-by-email';

export interface SlackStatus { text: string; emoji: string; /** Unix seconds; 0 = never expires. */ expiration: number }

/** A member id from an id or an e-mail address. */
export async function slackUserId(call: ConnectorCall, user: string): Promise<string> {
  const u = user.trim();
  if (!u.includes('@')) return u;
  const found = await findSlackUserByEmail(call, u);
  if (!found) throw new PatchbayError('not_found', `No Slack member has the e-mail ${u}`, { path: ['user'] });
  return found.id;
}

export async function setSlackStatus(call: ConnectorCall, userId: string, s: SlackStatus): Promise<SlackStatus> {
  const res = await createSlackClient(call).api<{ profile?: Record<string, unknown> }>('users.profile.set', {
    user: userId, profile: { status_text: s.text, status_emoji: s.emoji, status_expiration: s.expiration },
  }, { as: 'user', retry: true });
  const p = res.profile ?? {};
  return { text: String(p.status_text ?? s.text), emoji: String(p.status_emoji ?? s.emoji), expiration: Number(p.status_expiration ?? s.expiration) };
}

export async function getSlackStatus(call: ConnectorCall, userId: string): Promise<SlackStatus> {
  const res = await createSlackClient(call).api<{ profile?: Record<string, unknown> }>('users.profile.get', { user: userId }, { as: 'user', retry: true });
  const p = res.profile ?? {};
  return { text: String(p.status_text ?? ''), emoji: String(p.status_emoji ?? ''), expiration: Number(p.status_expiration ?? 0) };
}

export const emojiSchema = z.string().max(100).regex(/^$|^:[a-z0-9_+'-]+:$/, 'an emoji code such as :telephone_receiver: (or empty)');

export const setStatusBlock = defineBlock({
  id: 'slack.setStatus',
  effect: { what: 'Set the user\'s Slack status' },
  version: 1,
  title: 'Slack: set a member\'s status',
  description: 'Sets (or, with empty text and emoji, clears) a member\'s status, optionally expiring after some minutes.',
  category: 'Messaging',
  icon: 'smile',
  connector: 'slack',
  idempotent: true,
  params: z.object({
    user: z.string().min(1).max(320).describe('Member id or e-mail (=trigger.agentEmail)'),
    text: z.string().max(100).default(''),
    emoji: emojiSchema.default(''),
    expiresInMinutes: z.number().int().min(0).max(60 * 24 * 365).default(0).describe('0: until changed'),
  }),
  output: z.object({ user: z.string(), text: z.string(), emoji: z.string(), expiration: z.number() }),
  ports: OUT_PORT,
  summarize: (p) => `${String(p.emoji ?? '')} ${String(p.text ?? '')}`.trim() || 'clear',
  async run(ctx, p) {
    const call = slackCallOf(ctx, await ctx.connections.get('slack'));
    const id = await slackUserId(call, p.user);
    const expiration = p.expiresInMinutes ? Math.floor(ctx.clock.now().getTime() / 1000) + p.expiresInMinutes * 60 : 0;
    const s = await setSlackStatus(call, id, { text: p.text, emoji: p.emoji, expiration });
    return { output: { user: id, ...s } };
  },
});
