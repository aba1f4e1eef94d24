// Reads back what Patchbay wrote into Sugar's emulator through the vendor's own API (the conformance suite and the
// API tests of the call_logging template share it): the seeded agent, a call log, a task, a note, and counts.
import type { CrmReadBack } from '../kit/conformance';
import { createSugarClient } from './client';
import type { SugarEmulator } from './emulator';

interface Call { direction: string; status: string; description: string; parent_type: string; parent_id: string; assigned_user_id: string; name: string }

export const sugarReadBack: CrmReadBack<SugarEmulator> = {
  // User 1 signs in (the default assignee); the agent is another one.
  agent: (emu) => {
    const u = emu.store.list('Users')[1];
    return { id: u.id, email: String(u.email1) };
  },
  async readCallLog(_emu, call, ref) {
    const client = createSugarClient(call);
    const c = await client.get<Call>(`/Calls/${ref.id}`);
    const linked = await client.get<{ records: { id: string }[] }>(`/Calls/${ref.id}/link/contacts`);
    const contactId = c.parent_type === 'Contacts' ? c.parent_id : null;
    if (contactId && !linked.records.some((r) => r.id === contactId)) throw new Error(`Call ${ref.id} is not linked to contact ${contactId}`);
    if ((c.status === 'Held') !== /^Result: (answered|transferred)$/m.test(c.description)) throw new Error(`Call ${ref.id}: status ${c.status} does not match its result`);
    return {
      direction: c.direction === 'Inbound' ? 'inbound' : 'outbound',
      status: /^Result: (.*)$/m.exec(c.description)?.[1] ?? '',
      contactId,
      ownerId: c.assigned_user_id,
      notes: c.description,
      callId: /^Call id: (.*)$/m.exec(c.description)?.[1] ?? null,
    };
  },
  countCallLogs: (emu) => emu.store.list('Calls').length,
  async readTask(_emu, call, ref) {
    const t = await createSugarClient(call).get<{ name: string; contact_id: string; assigned_user_id: string }>(`/Tasks/${ref.id}`);
    return { subject: t.name, contactId: t.contact_id || null, ownerId: t.assigned_user_id };
  },
  async readNote(_emu, call, ref) {
    const n = await createSugarClient(call).get<{ description: string; contact_id?: string }>(`/Notes/${ref.id}`);
    return { body: n.description, contactId: n.contact_id || null };
  },
  countTasks: (emu) => emu.store.list('Tasks').length,
};
