// Updates a logged HubSpot call later (notes typed after hang-up, final outcome, recording ready):
// PATCH /crm/v3/objects/calls/{id}. Appending notes reads the current body first.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { createHubspotClient, type HubspotRecord } from './client';
import { callStatusSchema, hubspotCallStatus, notesToHtml } from './log-call';
import { callOf } from '../kit/contact-source';

export const updateCallLogParams = z.object({
  callId: z.string().min(1).describe('Id returned by "HubSpot: log call"'),
  notes: z.string().max(65_000).optional(),
  notesMode: z.enum(['append', 'replace']).default('append'),
  status: callStatusSchema.optional(),
  recordingUrl: z.string().max(2048).optional(),
  durationSec: z.number().min(0).optional(),
  title: z.string().max(512).optional(),
});

export type UpdateCallLogArgs = z.input<typeof updateCallLogParams>;

export async function updateCallLog(call: ConnectorCall, input: UpdateCallLogArgs): Promise<{ callId: string; updated: string[] }> {
  const args = updateCallLogParams.parse(input);
  const properties: Record<string, string> = {};
  if (args.status) Object.assign(properties, hubspotCallStatus(args.status));
  if (args.recordingUrl) properties.hs_call_recording_url = args.recordingUrl;
  if (args.durationSec !== undefined) properties.hs_call_duration = String(Math.round(args.durationSec * 1000));
  if (args.title) properties.hs_call_title = args.title;
  const http = createHubspotClient(call);
  if (args.notes) {
    let body = notesToHtml(args.notes);
    if (args.notesMode === 'append') {
      const current = await http.request<HubspotRecord>({ path: `/crm/v3/objects/calls/${encodeURIComponent(args.callId)}`, query: { properties: 'hs_call_body' } });
      const before = current.body.properties.hs_call_body;
      if (before) body = `${before}<br><br>${body}`;
    }
    properties.hs_call_body = body;
  }
  const updated = Object.keys(properties);
  if (!updated.length) return { callId: args.callId, updated };
  await http.request({ method: 'PATCH', path: `/crm/v3/objects/calls/${encodeURIComponent(args.callId)}`, body: { properties } });
  return { callId: args.callId, updated };
}

export const updateCallLogBlock = defineBlock({
  id: 'hubspot.updateCallLog',
  effect: { what: 'Update the call log in HubSpot' },
  version: 1,
  title: 'HubSpot: update logged call',
  description: 'Adds notes, the final outcome or the recording link to a call logged earlier.',
  category: 'CRM',
  icon: 'edit',
  connector: 'hubspot',
  params: updateCallLogParams,
  output: z.object({ callId: z.string(), updated: z.array(z.string()) }),
  ports: OUT_PORT,
  summarize: (p) => `call ${String(p.callId ?? '')}`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('hubspot');
    return { output: await updateCallLog(callOf(ctx, conn), params) };
  },
});
