// Reads back what Patchbay wrote into ActiveCampaign's emulator through the vendor's own API (the conformance suite
// and the API tests of the call_logging template share it): the seeded agent, a call (task + note), a task, a note,
// and counts (call logs: completed Call tasks; tasks: open ones).
import type { CrmReadBack } from '../kit/conformance';
import { createAcClient } from './client';
import type { AcEmulator } from './emulator';

interface DealTask { title: string; note: string; relid: string; reltype: string; dealTasktype: string; status: number; assignee: string }

export const acReadBack: CrmReadBack<AcEmulator> = {
  // User 1 owns the API token; the agent is another user.
  agent: (emu) => ({ id: emu.store.users[1].id, email: emu.store.users[1].email }),
  async readCallLog(_emu, call, ref) {
    const client = createAcClient(call);
    const { dealTask: t } = await client.get<{ dealTask: DealTask }>(`/dealTasks/${ref.id}`);
    if (t.dealTasktype !== '1' || Number(t.status) !== 1) throw new Error(`Task ${ref.id} is not a completed Call task`);
    const callId = /^Call id: (.*)$/m.exec(t.note)?.[1] ?? null;
    const { notes } = await client.get<{ notes: { note: string }[] }>(`/contacts/${t.relid}/notes`);
    const note = notes.find((n) => n.note.split('\n').includes(callId ? `Call id: ${callId}` : `Call task: ${ref.id}`));
    return {
      direction: /^Direction: inbound$/m.test(t.note) ? 'inbound' : 'outbound',
      status: /^Result: (.*)$/m.exec(t.note)?.[1] ?? '',
      contactId: t.reltype === 'Subscriber' ? t.relid : null,
      ownerId: t.assignee,
      notes: `${t.title}\n${t.note}\n\n${note?.note ?? ''}`,
      callId,
    };
  },
  countCallLogs: (emu) => emu.store.list('dealTasks').filter((t) => t.dealTasktype === '1' && t.status === 1).length,
  async readTask(_emu, call, ref) {
    const { dealTask: t } = await createAcClient(call).get<{ dealTask: DealTask }>(`/dealTasks/${ref.id}`);
    return { subject: t.title, contactId: t.reltype === 'Subscriber' ? t.relid : null, ownerId: t.assignee };
  },
  async readNote(_emu, call, ref) {
    const { note } = await createAcClient(call).get<{ note: { note: string; relid: string; reltype: string } }>(`/notes/${ref.id}`);
    return { body: note.note, contactId: note.reltype === 'Subscriber' ? note.relid : null };
  },
  countTasks: (emu) => emu.store.list('dealTasks').filter((t) => t.status === 0).length,
};
