import { z } from 'zod';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { connectorCall, createSalesforceClient } from './client';
import { API_BASE, USER_FIELDS, soqlString } from './soql';

const userSchema = z.object({ id: z.string(), email: z.string(), name: z.string() });
export type SalesforceUser = z.infer<typeof userSchema>;

/** The active Salesforce User (agent / record owner) with this email; SOQL's = on text is case-insensitive. */
export async function findUserByEmail(call: ConnectorCall, args: { email: string }): Promise<{ found: boolean; user: SalesforceUser | null }> {
  const email = args.email.trim();
  if (!email) return { found: false, user: null };
  const sf = createSalesforceClient(call);
  const q = `SELECT ${USER_FIELDS.join(', ')} FROM User WHERE Email = ${soqlString(email)} AND IsActive = true LIMIT 1`;
  const res = await sf.request<{ records: Record<string, unknown>[] }>({ path: `${API_BASE}/query`, query: { q } });
  const u = res.body.records[0];
  if (!u) return { found: false, user: null };
  return { found: true, user: { id: String(u.Id), email: String(u.Email ?? email), name: String(u.Name ?? [u.FirstName, u.LastName].filter(Boolean).join(' ')) } };
}

export const salesforceFindUserByEmail = defineBlock({
  id: 'salesforce.findUserByEmail',
  version: 1,
  title: 'Salesforce: find user by email',
  description: 'Finds the active Salesforce user (the agent) with this email, e.g. to own a logged call.',
  category: 'CRM',
  icon: 'user-check',
  connector: 'salesforce',
  params: z.object({ email: z.string().min(3).describe("The agent's email") }),
  output: z.object({ found: z.boolean(), user: userSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `email ${String(p.email ?? '')}`,
  async run(ctx, params) {
    const out = await findUserByEmail(await connectorCall(ctx), params);
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
