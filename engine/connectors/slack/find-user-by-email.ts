// users.lookupByEmail: the Slack member behind an agent's e-mail (the phone system and the CRM know agents by e-mail).
import { z } from 'zod';
import { defineBlock, FOUND_PORTS, type RunContext } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { createSlackClient } from './client';
import { callOf } from '../kit/contact-source';

export const slackUserSchema = z.object({ id: z.string(), name: z.string(), realName: z.string().nullable(), email: z.string().nullable(), statusText: z.string(), statusEmoji: z.string() });
export type SlackUserRef = z.infer<typeof slackUserSchema>;

export function slackCallOf(ctx: RunContext, conn: ConnectorCall['conn']): ConnectorCall {
  return callOf(ctx, conn);
}

/** The member with that e-mail, or null (Slack's users_not_found). */
export async function findSlackUserByEmail(call: ConnectorCall, email: string): Promise<SlackUserRef | null> {
  const res = await createSlackClient(call).api<{ user?: Record<string, any> }>('users.lookupByEmail', { email: email.trim() }, { retry: true, allow: ['users_not_found'] });
  const u = res.user;
  if (!res.ok || !u) return null;
  const p = (u.profile ?? {}) as Record<string, unknown>;
  return {
    id: String(u.id), name: String(u.name ?? ''), realName: typeof u.real_name === 'string' ? u.real_name : null, email: typeof p.email === 'string' ? p.email : null,
    statusText: String(p.status_text ?? ''), statusEmoji: String(p.status_emoji ?? ''),
  };
}

export const findUserByEmailBlock = defineBlock({
  id: 'slack.findUserByEmail',
  version: 1,
  title: 'Slack: find member by e-mail',
  description: 'The Slack member with this e-mail address (users.lookupByEmail), e.g. the agent a call rings at.',
  category: 'Messaging',
  icon: 'user',
  connector: 'slack',
  idempotent: true,
  params: z.object({ email: z.string().max(320).nullish().describe('E-mail address, e.g. =trigger.agentEmail') }),
  required: ['email'],
  output: z.object({ found: z.boolean(), user: slackUserSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => String(p.email ?? ''),
  async run(ctx, p) {
    if (!p.email?.trim()) return { output: { found: false, user: null }, port: 'notFound' };
    const user = await findSlackUserByEmail(slackCallOf(ctx, await ctx.connections.get('slack')), p.email);
    return user ? { output: { found: true, user }, port: 'found' } : { output: { found: false, user: null }, port: 'notFound' };
  },
});
