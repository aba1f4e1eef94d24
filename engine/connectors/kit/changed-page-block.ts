// The "records changed since a cursor" block every CRM connector offers, declared once so all of them take
// the same params and give the same output (a flow can swap CRMs without rewiring).
import { z } from 'zod';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { defineBlock, OUT_PORT, type ConnectionHandle, type RunContext } from '../../core/define-block';
import type { ConnectorCall } from './contact-source';
import { callOf } from './contact-source';

export interface ChangedPage { contacts: UnifiedContact[]; nextCursor: string | null; done: boolean }

export const changedPageOutput = z.object({ contacts: z.array(unifiedContactSchema), nextCursor: z.string().nullable(), done: z.boolean() });

export function defineChangedPageBlock(o: {
  connector: string;
  /** `listContactsChanged` or `listCompaniesChanged`. */
  action: string;
  title: string;
  description: string;
  maxPageSize: number;
  defaultPageSize: number;
  /** Builds the connector's call from a run (its own client settings). */
  call?: (ctx: RunContext, conn: ConnectionHandle) => ConnectorCall;
  fetchPage: (call: ConnectorCall, args: { cursor?: string | null; pageSize?: number }) => Promise<ChangedPage>;
}) {
  return defineBlock({
    id: `${o.connector}.${o.action}`,
    version: 1,
    title: o.title,
    description: o.description,
    category: 'CRM',
    icon: 'refresh-cw',
    connector: o.connector,
    params: z.object({
      cursor: z.string().nullish().describe('nextCursor of the previous page; empty = from the beginning'),
      pageSize: z.number().int().min(1).max(o.maxPageSize).default(o.defaultPageSize),
    }),
    output: changedPageOutput,
    ports: OUT_PORT,
    summarize: (p) => `${String(p.pageSize ?? o.defaultPageSize)} per page`,
    async run(ctx, params) {
      const conn = await ctx.connections.get(o.connector);
      const call = o.call ? o.call(ctx, conn) : callOf(ctx, conn);
      return { output: await o.fetchPage(call, params) };
    },
  });
}
