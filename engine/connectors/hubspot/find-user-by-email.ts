// Finds a HubSpot user (an owner: who records are assigned to and calls are logged for) by email,
// with GET /crm/v3/owners?email=…
import { z } from 'zod';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { createHubspotClient } from './client';

interface HubspotOwner {
  id: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  userId?: number | null;
  archived?: boolean;
}

const userSchema = z.object({ id: z.string(), email: z.string(), name: z.string() });
export type HubspotUser = z.infer<typeof userSchema>;

export async function findUserByEmail(call: ConnectorCall, args: { email: string }): Promise<{ found: boolean; user: HubspotUser | null }> {
  const email = args.email.trim();
  if (!email) return { found: false, user: null };
  const http = createHubspotClient(call);
  const res = await http.request<{ results: HubspotOwner[] }>({ path: '/crm/v3/owners', query: { email, limit: 100, archived: false } });
  const owner = res.body.results.find((o) => (o.email ?? '').toLowerCase() === email.toLowerCase());
  if (!owner) return { found: false, user: null };
  const name = [owner.firstName, owner.lastName].filter(Boolean).join(' ').trim();
  return { found: true, user: { id: String(owner.id), email: owner.email ?? email, name: name || (owner.email ?? email) } };
}

export const findUserByEmailBlock = defineBlock({
  id: 'hubspot.findUserByEmail',
  version: 1,
  title: 'HubSpot: find user by email',
  description: 'Finds the HubSpot owner (agent) with this email, e.g. to log a call on their behalf.',
  category: 'CRM',
  icon: 'user-check',
  connector: 'hubspot',
  params: z.object({ email: z.string().min(3).describe('The agent\'s email address') }),
  output: z.object({ found: z.boolean(), user: userSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => String(p.email ?? ''),
  async run(ctx, params) {
    const conn = await ctx.connections.get('hubspot');
    const out = await findUserByEmail({ fetch: ctx.fetch, conn, requestLog: ctx.requestLog, signal: ctx.signal }, params);
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
