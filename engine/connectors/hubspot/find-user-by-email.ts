// Finds a HubSpot user (an owner: who records are assigned to and calls are logged for) by email,
// with GET /crm/v3/owners?email=…
import { z } from 'zod';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { createHubspotClient } from './client';
import { callOf } from '../kit/contact-source';

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

/** Every owner, active then archived, page by page (GET /crm/v3/owners with `after` paging). */
export async function* listOwners(call: ConnectorCall, args: { pageSize?: number } = {}): AsyncGenerator<{ id: string; email: string; name: string; firstName: string | null; lastName: string | null; active: boolean }[]> {
  const http = createHubspotClient(call);
  const limit = Math.max(1, Math.min(500, args.pageSize ?? 500));
  for (const archived of [false, true]) {
    const pages = http.paginate<HubspotOwner, { results: HubspotOwner[]; paging?: { next?: { after?: string } } }>(
      { path: '/crm/v3/owners', query: { limit, archived } },
      (res, req) => (res.body.paging?.next?.after ? { ...req, query: { ...req.query, after: res.body.paging.next.after } } : null),
      (res) => res.body.results,
    );
    for await (const page of pages) {
      const users = page.items.filter((o) => o.email).map((o) => ({
        id: String(o.id), email: o.email!, name: [o.firstName, o.lastName].filter(Boolean).join(' ').trim() || o.email!,
        firstName: o.firstName ?? null, lastName: o.lastName ?? null, active: !archived,
      }));
      if (users.length) yield users;
    }
  }
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
    const out = await findUserByEmail(callOf(ctx, conn), params);
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
