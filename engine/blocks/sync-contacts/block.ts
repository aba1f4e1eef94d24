import { z } from 'zod';
import { defineBlock } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';

/**
 * Starts (and configures) the customer's durable contact sync from a CRM into the CDP and/or the phone system's
 * phonebook. The sync itself runs in the job engine, not in the flow: this block answers at once with the
 * run's id; the schedule it sets keeps the sync going (incremental runs, a daily full comparison).
 */
export const syncContacts = defineBlock({
  id: 'sync.contacts',
  effect: { what: 'Start the contact sync and set its schedule', system: 'sync', simulate: () => ({ output: { syncRunId: 'dry-run', status: 'queued' }, port: 'started' }) },
  version: 1,
  title: 'Sync contacts',
  description: 'Starts a durable, resumable contact sync from a CRM (incremental, or full with delete detection) and sets its schedule.',
  category: 'CRM',
  icon: 'refresh-cw',
  params: z.object({
    source: z.string().min(1).max(64).describe('The CRM connection to read: hubspot, salesforce, pipedrive …'),
    mode: z.enum(['incremental', 'full']).default('incremental').describe('full also compares every id and deletes what the CRM no longer has'),
    kinds: z.array(z.enum(['person', 'company'])).min(1).default(['person', 'company']).describe('Companies are synced as contacts flagged company when they carry a number'),
    destinations: z.array(z.enum(['cdp', 'phonebook'])).min(1).default(['cdp']),
    incrementalEveryMinutes: z.number().int().min(1).max(10080).default(15),
    fullEveryHours: z.number().min(0.1).max(720).default(24),
    deleteThreshold: z.number().min(0).max(1).default(0.2).describe('A full comparison that would delete more than this share is refused and raises an alert'),
    direction: z.enum(['one_way', 'two_way']).optional().describe('two_way also sends phonebook edits to the CRM (needs the phonebook destination); default one_way'),
    conflictRule: z.enum(['crm_wins', 'phone_wins', 'newest', 'field_by_field']).optional().describe('Two-way: who wins when a contact was edited on both sides between two runs; default newest'),
  }),
  output: z.object({ syncRunId: z.string(), status: z.enum(['queued', 'already_running']) }),
  ports: [
    { id: 'started', label: 'started' },
    { id: 'running', label: 'already running' },
  ],
  summarize: (p) => `${String(p.source ?? '')} ${p.direction === 'two_way' ? '⇄' : '→'} ${Array.isArray(p.destinations) ? p.destinations.join(' + ') : 'cdp'} (${String(p.mode ?? 'incremental')})`,
  async run(ctx, params) {
    if (!ctx.sync) throw new PatchbayError('sync_unavailable', 'Contact sync needs the job engine: run this flow on a Patchbay server or worker');
    const out = await ctx.sync.start(params);
    return { output: out, port: out.status === 'queued' ? 'started' : 'running' };
  },
});
