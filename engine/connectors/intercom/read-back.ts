// Reads back what Patchbay wrote into Intercom's emulator through Intercom's own API (the conformance suite and the
// API tests of the call_logging template share it): the seeded agent, a call note, a call-back ticket, a note, counts.
import type { CrmReadBack } from '../kit/conformance';
import { createIntercomClient } from './client';
import type { IntercomNote } from './crm';
import type { IntercomEmulator } from './emulator';
import { noteHtmlToText } from './note-html';

/** A call's note has its details lines; an update note does not repeat "Direction:". */
export const isCallNote = (html: string) => /^Direction: /m.test(noteHtmlToText(html));

export const intercomReadBack: CrmReadBack<IntercomEmulator> = {
  // The token's admin is admin 0; the agent is another teammate.
  agent: (emu) => {
    const a = emu.store.admins[1];
    return { id: a.id, email: a.email };
  },
  async readCallLog(_emu, call, ref) {
    const n = await createIntercomClient(call).get<IntercomNote>(`/notes/${ref.id}`);
    const text = noteHtmlToText(n.body);
    if (!/^Direction: /m.test(text)) throw new Error(`Note ${ref.id} is not a call note`);
    return {
      direction: /^Direction: inbound$/m.test(text) ? 'inbound' : 'outbound',
      status: /^Result: (.*)$/m.exec(text)?.[1] ?? '',
      contactId: n.contact?.id ?? null,
      ownerId: n.author?.id ? String(n.author.id) : null,
      notes: text,
      callId: /^Call id: (.*)$/m.exec(text)?.[1] ?? null,
    };
  },
  countCallLogs: (emu) => [...emu.store.notes.values()].filter((n) => isCallNote(n.body)).length,
  async readTask(_emu, call, ref) {
    const t = await createIntercomClient(call).get<{ ticket_attributes: { _default_title_: string }; contacts: { contacts: { id: string }[] }; admin_assignee_id: string }>(`/tickets/${ref.id}`);
    return { subject: t.ticket_attributes._default_title_, contactId: t.contacts.contacts[0]?.id ?? null, ownerId: t.admin_assignee_id && t.admin_assignee_id !== '0' ? t.admin_assignee_id : null };
  },
  async readNote(_emu, call, ref) {
    const n = await createIntercomClient(call).get<IntercomNote>(`/notes/${ref.id}`);
    return { body: noteHtmlToText(n.body), contactId: n.contact?.id ?? null };
  },
  countTasks: (emu) => emu.store.tickets.size,
};
