// The call_logging template through the API path (tests/api/call-logging-harness.ts) for a customer on Intercom and one
// on Keap. An answered call gives exactly one native record (Intercom: a note on the contact by the agent; Keap: a Call
// note) read back through the vendor's API, linked to the caller and the agent; a missed call exactly one call-back
// (Intercom: a Back-office ticket; Keap: a Call task); notes edited after the call change that same record (Keap edits
// the note in place; Intercom's API cannot edit a note, so one update note naming the call carries them) and never
// add a second call record.
import { expect } from 'vitest';
import { describeCallLogging, editedInPlace } from './call-logging-harness';
import { startIntercomEmulator, type IntercomEmulator } from '@/engine/connectors/intercom/emulator';
import { intercomConnector } from '@/engine/connectors/intercom/manifest';
import { intercomReadBack } from '@/engine/connectors/intercom/read-back';
import { noteHtmlToText } from '@/engine/connectors/intercom/note-html';
import { startKeapEmulator, type KeapEmulator } from '@/engine/connectors/keap/emulator';
import { keapConnector } from '@/engine/connectors/keap/manifest';
import { keapReadBack } from '@/engine/connectors/keap/read-back';

const TOKEN = 'crm-token-calls-ic-kp';
const seed = { contacts: 5, users: 3, token: TOKEN };

describeCallLogging('callsickp', [
  {
    connector: intercomConnector, start: () => startIntercomEmulator(seed), credentials: { accessToken: TOKEN }, readBack: intercomReadBack,
    notesEdit: {
      // Intercom's API cannot edit a note: the call's note stays as written, and exactly one update note on the
      // caller names the call and carries the edited notes.
      check({ emu, log, callId, callerId, edited }) {
        const updates = [...(emu as IntercomEmulator).store.notes.values()].filter((n) => n.contact.id === callerId).map((n) => noteHtmlToText(n.body))
          .filter((b) => b.startsWith('Update to') && b.includes(`Call id: ${callId}`));
        expect(updates).toHaveLength(1);
        expect(updates[0]).toContain(edited);
        expect(log.notes).not.toContain(edited);
      },
    },
  },
  {
    connector: keapConnector, start: () => startKeapEmulator(seed), credentials: { apiKey: TOKEN }, readBack: keapReadBack,
    // Keap edits the Call note in place: same note, the new notes in its body.
    notesEdit: editedInPlace({
      check({ emu, ref, edited }) { expect((emu as KeapEmulator).store.notes.get(Number(ref.id))!.body).toContain(edited); },
    }),
  },
]);
