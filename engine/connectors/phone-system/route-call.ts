// Dynamic routing: tells the phone system where a ringing call goes (an agent, a queue, an extension, a
// number or voicemail) through its call API, e.g. after a flow looked the caller up.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { createPhonebookClient } from './client';
import { setPath } from './map-contact';
import { callOf } from '../kit/contact-source';

export const routeTargetTypes = ['user', 'queue', 'extension', 'number', 'voicemail'] as const;

export const routeCallParams = z.object({
  callId: z.string().min(1).max(256).describe("The phone system's call id (from the call webhook)"),
  target: z.string().min(1).max(256).describe('Where the call goes: agent email or id, queue, extension or E.164 number'),
  targetType: z.enum(routeTargetTypes).default('user'),
  /** Further fields some phone systems take (priority, announcement …). */
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export async function routeCall(call: ConnectorCall, args: z.input<typeof routeCallParams>): Promise<{ routed: true; callId: string; response: unknown }> {
  const client = createPhonebookClient(call);
  const f = client.config.routeFields;
  const body: Record<string, unknown> = { ...args.data };
  setPath(body, f.target, args.target);
  if (f.targetType) setPath(body, f.targetType, args.targetType ?? 'user');
  // Not retried on a 5xx: routing the same call twice can ring two agents.
  const res = await client.call('routeCall', { callId: args.callId }, { body });
  return { routed: true, callId: args.callId, response: res.body };
}

export const routeCallBlock = defineBlock({
  id: 'phonesystem.routeCall',
  effect: { what: 'Route the call in the phone system' },
  version: 1,
  title: 'Phone system: route call',
  description: 'Sends a ringing call to an agent, queue, extension, number or voicemail through the phone system’s API.',
  category: 'Phone system',
  icon: 'phone-forwarded',
  connector: 'phonesystem',
  params: routeCallParams,
  output: z.object({ routed: z.literal(true), callId: z.string(), response: z.unknown() }),
  ports: OUT_PORT,
  summarize: (p) => `to ${String(p.targetType ?? 'user')} ${String(p.target ?? '')}`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('phonesystem');
    return { output: await routeCall(callOf(ctx, conn), params) };
  },
});
