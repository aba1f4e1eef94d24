// HubSpot runs the one CRM conformance suite against its emulator.
import { runCrmConformance } from '../kit/conformance';
import { createHubspotClient, type HubspotRecord } from './client';
import { startHubspotEmulator, type HubspotEmulator } from './emulator';
import { hubspotConnector } from './manifest';
import { CALL_OUTCOME } from './log-call';

/** HubSpot's hs_call_status and call outcome (disposition), read back into the contract's status. */
function statusOf(status?: string | null, disposition?: string | null, title?: string | null): string {
  if (status === 'COMPLETED') {
    if (disposition === CALL_OUTCOME.leftVoicemail) return 'voicemail';
    return /\(transferred\)/.test(title ?? '') ? 'transferred' : 'answered';
  }
  return ({ NO_ANSWER: 'missed', CANCELED: 'declined', BUSY: 'busy', FAILED: 'failed' } as Record<string, string>)[status ?? ''] ?? `unknown ${status}`;
}

type WithAssoc = HubspotRecord & { associations?: Record<string, { results: { id: string }[] }> };

runCrmConformance<HubspotEmulator>({
  connector: hubspotConnector,
  start: (o) => startHubspotEmulator(o),
  tokenCredentials: (token) => ({ token }),
  oauth: {
    authorizePath: '/oauth/authorize',
    tokenPath: '/oauth/v1/token',
    credentials: (t, client) => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, ...client }),
  },
  agent: (emu) => ({ id: emu.store.owners[0].id, email: emu.store.owners[0].email }),
  async readCallLog(_emu, call, ref) {
    const res = await createHubspotClient(call).request<WithAssoc>({
      path: `/crm/v3/objects/calls/${ref.id}`,
      query: { properties: 'hs_call_direction,hs_call_status,hs_call_disposition,hs_call_title,hs_call_body,hubspot_owner_id,hs_call_external_id', associations: 'contacts' },
    });
    const p = res.body.properties;
    return {
      direction: p.hs_call_direction === 'INBOUND' ? 'inbound' : 'outbound',
      status: statusOf(p.hs_call_status, p.hs_call_disposition, p.hs_call_title),
      contactId: res.body.associations?.contacts?.results[0]?.id ?? null,
      ownerId: p.hubspot_owner_id ?? null,
      notes: p.hs_call_body ?? '',
      callId: p.hs_call_external_id ?? null,
    };
  },
  countCallLogs: (emu) => emu.store.calls().length,
  async readTask(_emu, call, ref) {
    const res = await createHubspotClient(call).request<WithAssoc>({ path: `/crm/v3/objects/tasks/${ref.id}`, query: { properties: 'hs_task_subject,hubspot_owner_id', associations: 'contacts' } });
    return { subject: res.body.properties.hs_task_subject ?? '', contactId: res.body.associations?.contacts?.results[0]?.id ?? null, ownerId: res.body.properties.hubspot_owner_id ?? null };
  },
  async readNote(_emu, call, ref) {
    const res = await createHubspotClient(call).request<WithAssoc>({ path: `/crm/v3/objects/notes/${ref.id}`, query: { properties: 'hs_note_body', associations: 'contacts' } });
    return { body: res.body.properties.hs_note_body ?? '', contactId: res.body.associations?.contacts?.results[0]?.id ?? null };
  },
});
