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

interface UserPage { done: boolean; nextRecordsUrl?: string; records: Record<string, unknown>[] }

/** Every User with an e-mail (active and inactive), page by page through nextRecordsUrl: for user provisioning. */
export async function* listUsers(call: ConnectorCall, args: { pageSize?: number } = {}): AsyncGenerator<{ id: string; email: string; name: string; firstName: string | null; lastName: string | null; active: boolean }[]> {
  const sf = createSalesforceClient(call);
  const headers = { 'sforce-query-options': `batchSize=${Math.max(200, Math.min(2000, args.pageSize ?? 2000))}` };
  const first = { path: `${API_BASE}/query`, query: { q: `SELECT ${USER_FIELDS.join(', ')} FROM User ORDER BY Id ASC` }, headers };
  const pages = sf.paginate<Record<string, unknown>, UserPage>(first, (res) => (res.body.done || !res.body.nextRecordsUrl ? null : { path: res.body.nextRecordsUrl, headers }), (res) => res.body.records);
  for await (const { items } of pages) {
    const users = items.filter((u) => typeof u.Email === 'string' && u.Email).map((u) => ({
      id: String(u.Id), email: String(u.Email), name: String(u.Name ?? [u.FirstName, u.LastName].filter(Boolean).join(' ')),
      firstName: typeof u.FirstName === 'string' ? u.FirstName : null, lastName: typeof u.LastName === 'string' ? u.LastName : null, active: u.IsActive !== false,
    }));
    if (users.length) yield users;
  }
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
