import { z } from 'zod';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { callFromContext, createPipedriveClient } from './client';

interface PipedriveUser {
  id: number;
  name: string;
  email: string;
  active_flag?: boolean;
  is_deleted?: boolean;
}

export interface PipedriveUserRef {
  id: string;
  email: string;
  name: string;
}

/** The agent as a Pipedrive user (owner of records and activities): /v1/users/find with search_by_email=1. */
export async function findUserByEmail(call: ConnectorCall, args: { email: string }): Promise<{ found: boolean; user: PipedriveUserRef | null }> {
  const email = args.email.trim().toLowerCase();
  if (!email) return { found: false, user: null };
  const client = createPipedriveClient(call);
  // v1 answers `data: null` rather than [] when nothing matches; the search is a substring match, so check equality.
  const users = (await client.get<PipedriveUser[] | null>('/v1/users/find', { term: email, search_by_email: 1 })) ?? [];
  const candidates = users.filter((u) => u.email?.toLowerCase() === email && !u.is_deleted);
  const user = candidates.find((u) => u.active_flag !== false) ?? candidates[0];
  return user ? { found: true, user: { id: String(user.id), email: user.email, name: user.name } } : { found: false, user: null };
}

export const findUserByEmailBlock = defineBlock({
  id: 'pipedrive.findUserByEmail',
  version: 1,
  title: 'Pipedrive: find user by email',
  description: 'Finds the Pipedrive user (agent, record owner) with this email address.',
  category: 'CRM',
  icon: 'user-check',
  connector: 'pipedrive',
  params: z.object({ email: z.string().min(3).describe('The agent\'s email address') }),
  output: z.object({ found: z.boolean(), user: z.object({ id: z.string(), email: z.string(), name: z.string() }).nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `user ${String(p.email ?? '')}`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('pipedrive');
    const out = await findUserByEmail(callFromContext(ctx, conn), { email: params.email });
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
