// The call_logging template through the API path (tests/api/call-logging-harness.ts) for customers on ActiveCampaign
// and on Zendesk Support (calls in the end user's notes, and with the connection's callLogTarget "ticket", as internal
// comments on the caller's ticket): an answered call gives exactly one native call record linked to the caller and the
// agent; a missed call exactly one call-back task and no call record; notes edited after the call change the same note.
import { expect } from 'vitest';
import { describeCallLogging, editedInPlace } from './call-logging-harness';
import type { RunningEmulator } from '@/engine/connectors/kit/emulator-server';
import { startActiveCampaignEmulator, type AcEmulator } from '@/engine/connectors/activecampaign/emulator';
import { activecampaignConnector } from '@/engine/connectors/activecampaign/manifest';
import { acReadBack } from '@/engine/connectors/activecampaign/read-back';
import { startZendeskEmulator, ZENDESK_EMULATOR_EMAIL, type ZendeskEmulator } from '@/engine/connectors/zendesk/emulator';
import { zendeskConnector } from '@/engine/connectors/zendesk/manifest';
import { zendeskReadBack } from '@/engine/connectors/zendesk/read-back';

const TOKEN = 'crm-token-calls-helpdesks';
const seed = { contacts: 5, users: 3, token: TOKEN };

describeCallLogging('callshd', [
  {
    label: 'ActiveCampaign', connector: activecampaignConnector, start: () => startActiveCampaignEmulator(seed),
    credentials: { apiToken: TOKEN }, readBack: acReadBack,
    notesEdit: editedInPlace({ count: (emu) => (emu as AcEmulator).store.list('notes').length }),
  },
  {
    label: 'Zendesk (user notes)', connector: zendeskConnector, start: () => startZendeskEmulator(seed),
    credentials: { email: ZENDESK_EMULATOR_EMAIL, apiToken: TOKEN }, readBack: zendeskReadBack,
    notesEdit: editedInPlace({ count: (emu) => zendeskReadBack.countCallLogs(emu as ZendeskEmulator) }),
  },
  {
    label: 'Zendesk (ticket comments)', connector: zendeskConnector, start: () => startZendeskEmulator(seed),
    credentials: { email: ZENDESK_EMULATOR_EMAIL, apiToken: TOKEN, callLogTarget: 'ticket' }, readBack: zendeskReadBack,
    notesEdit: {
      // Zendesk comments cannot be edited: the change comes as one more internal comment on the same ticket.
      count: (emu: RunningEmulator) => (emu as ZendeskEmulator).store.comments().length,
      added: 1,
      check({ emu, ref, callId, agentId, edited }) {
        const ticket = (emu as ZendeskEmulator).store.tickets.get(Number(ref.id.split(':')[0]))!;
        const last = ticket.comments.at(-1)!;
        expect(last).toMatchObject({ public: false, author_id: Number(agentId) });
        expect(last.body).toContain(`Call id: ${callId}\n\n${edited}`);
      },
    },
  },
]);
