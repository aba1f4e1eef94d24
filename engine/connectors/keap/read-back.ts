// Reads back what Patchbay wrote into Keap's emulator through Keap's own API (the conformance suite and the API
// tests of the call_logging template share it): the seeded agent, a Call note, a task, a note, and counts.
import type { CrmReadBack } from '../kit/conformance';
import { createKeapClient } from './client';
import type { KeapNote } from './crm';
import type { KeapEmulator } from './emulator';

export const keapReadBack: CrmReadBack<KeapEmulator> = {
  // The key's user is user 1 (the default author); the agent is another user.
  agent: (emu) => {
    const u = emu.store.users[1];
    return { id: String(u.id), email: u.email_address };
  },
  async readCallLog(_emu, call, ref) {
    const n = await createKeapClient(call).get<KeapNote>(`/notes/${ref.id}`);
    if (n.type !== 'Call') throw new Error(`Note ${ref.id} is a ${n.type} note, not a Call`);
    return {
      direction: /^Direction: inbound$/m.test(n.body) ? 'inbound' : 'outbound',
      status: /^Result: (.*)$/m.exec(n.body)?.[1] ?? '',
      contactId: String(n.contact_id),
      ownerId: String(n.user_id),
      notes: n.body,
      callId: /^Call id: (.*)$/m.exec(n.body)?.[1] ?? null,
    };
  },
  countCallLogs: (emu) => [...emu.store.notes.values()].filter((n) => n.type === 'Call').length,
  async readTask(_emu, call, ref) {
    const t = await createKeapClient(call).get<{ title: string; contact: { id: number } | null; user_id: number }>(`/tasks/${ref.id}`);
    return { subject: t.title, contactId: t.contact ? String(t.contact.id) : null, ownerId: String(t.user_id) };
  },
  async readNote(_emu, call, ref) {
    const n = await createKeapClient(call).get<KeapNote>(`/notes/${ref.id}`);
    return { body: n.body, contactId: String(n.contact_id) };
  },
  countTasks: (emu) => emu.store.tasks.size,
};
