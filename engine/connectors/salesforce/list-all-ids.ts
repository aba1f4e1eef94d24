import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import type { ConnectorCall, ObjectKind } from '../kit/contact-source';
import { connectorCall } from './client';
import { listAllIds as streamAllIds } from './list-changed';

/** Every live Contact (person) or Account (company) id; the sync's ContactSource streams the same pages. */
export async function listAllIds(call: ConnectorCall, args: { kind?: ObjectKind; pageSize?: number }): Promise<{ ids: string[]; count: number }> {
  const ids: string[] = [];
  for await (const page of streamAllIds(call, { kind: args.kind ?? 'person', pageSize: args.pageSize })) ids.push(...page);
  return { ids, count: ids.length };
}

export const salesforceListAllIds = defineBlock({
  id: 'salesforce.listAllIds',
  version: 1,
  title: 'Salesforce: all record ids',
  description: 'Every Contact or Account id (for delete detection), read in batches of up to 2,000.',
  category: 'CRM',
  icon: 'list',
  connector: 'salesforce',
  params: z.object({
    kind: z.enum(['person', 'company']).default('person').describe('person = Contacts, company = Accounts'),
    pageSize: z.number().int().min(200).max(2000).default(2000).describe('Query batch size (Salesforce allows 200–2,000)'),
  }),
  output: z.object({ ids: z.array(z.string()), count: z.number().int() }),
  ports: OUT_PORT,
  summarize: (p) => (p.kind === 'company' ? 'Account ids' : 'Contact ids'),
  async run(ctx, params) {
    return { output: await listAllIds(await connectorCall(ctx), params) };
  },
});
