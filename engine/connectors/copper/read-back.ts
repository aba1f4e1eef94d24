// Reads back what Patchbay wrote into Copper's emulator through the vendor's own API (the conformance suite and the
// API tests of the call_logging template share it): the seeded agent, a call log, a task, a note, and counts.
import type { CrmReadBack } from '../kit/conformance';
import { createCopperClient } from './client';
import { COPPER_PHONE_CALL_TYPE_ID, type CopperEmulator } from './emulator';

interface Activity { type: { id: number; category: string }; parent: { id: number; type: string }; details: string; user_id: number }

export const copperReadBack: CrmReadBack<CopperEmulator> = {
  // The key owner is user 0 (the default performer); the agent is another user.
  agent: (emu) => {
    const u = emu.store.users[1];
    return { id: String(u.id), email: u.email };
  },
  async readCallLog(_emu, call, ref) {
    const a = await createCopperClient(call).get<Activity>(`/activities/${ref.id}`);
    if (a.type.category !== 'user' || a.type.id !== COPPER_PHONE_CALL_TYPE_ID) throw new Error(`Activity ${ref.id} is not a Phone Call activity`);
    return {
      direction: /^Direction: inbound$/m.test(a.details) ? 'inbound' : 'outbound',
      status: /^Result: (.*)$/m.exec(a.details)?.[1] ?? '',
      contactId: a.parent.type === 'person' ? String(a.parent.id) : null,
      ownerId: String(a.user_id),
      notes: a.details,
      callId: /^Call id: (.*)$/m.exec(a.details)?.[1] ?? null,
    };
  },
  countCallLogs: (emu) => emu.store.list('activities').filter((a) => (a.type as { id: number }).id === COPPER_PHONE_CALL_TYPE_ID).length,
  async readTask(_emu, call, ref) {
    const t = await createCopperClient(call).get<{ name: string; related_resource: { id: number; type: string } | null; assignee_id: number }>(`/tasks/${ref.id}`);
    return { subject: t.name, contactId: t.related_resource?.type === 'person' ? String(t.related_resource.id) : null, ownerId: String(t.assignee_id) };
  },
  async readNote(_emu, call, ref) {
    const a = await createCopperClient(call).get<Activity>(`/activities/${ref.id}`);
    if (a.type.id !== 0) throw new Error(`Activity ${ref.id} is not a Note`);
    return { body: a.details, contactId: a.parent.type === 'person' ? String(a.parent.id) : null };
  },
  countTasks: (emu) => emu.store.list('tasks').length,
};
