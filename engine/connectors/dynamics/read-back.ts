// Reads back what Patchbay wrote into Dynamics's emulator through the vendor's own API (the conformance suite and the
// API tests of the call_logging template share it): the seeded agent, a call log, a task, a note, and counts.
import type { CrmReadBack } from '../kit/conformance';
import { API, createDynamicsClient } from './client';
import type { DynamicsEmulator } from './emulator';

type Row = Record<string, unknown>;

export const dynamicsReadBack: CrmReadBack<DynamicsEmulator> = {
  // Not the application user (the default owner), so an ownerid that was not bound would show.
  agent: (emu) => {
    const u = emu.store.list('systemusers').find((x) => !x.isdisabled && x.systemuserid !== emu.store.apiUserId)!;
    return { id: String(u.systemuserid), email: String(u.internalemailaddress) };
  },
  async readCallLog(_emu, call, ref) {
    const pc = (await createDynamicsClient(call).request<Row>({ path: `${API}/phonecalls(${ref.id})` })).body;
    if (pc.statecode !== 1) throw new Error(`Phone call ${ref.id} is not completed`);
    const description = String(pc.description ?? '');
    return {
      direction: pc.directioncode === true ? 'outbound' : 'inbound',
      status: /^Result: (.+)$/m.exec(description)?.[1] ?? '',
      contactId: (pc._regardingobjectid_value as string | null) ?? null,
      ownerId: (pc._ownerid_value as string | null) ?? null,
      notes: description,
      callId: /^Call id: (.+)$/m.exec(description)?.[1] ?? null,
    };
  },
  countCallLogs: (emu) => emu.store.phoneCalls().length,
  async readTask(_emu, call, ref) {
    const t = (await createDynamicsClient(call).request<Row>({ path: `${API}/tasks(${ref.id})` })).body;
    return { subject: String(t.subject), contactId: (t._regardingobjectid_value as string | null) ?? null, ownerId: (t._ownerid_value as string | null) ?? null };
  },
  async readNote(_emu, call, ref) {
    const n = (await createDynamicsClient(call).request<Row>({ path: `${API}/annotations(${ref.id})` })).body;
    return { body: String(n.notetext ?? ''), contactId: (n._objectid_value as string | null) ?? null };
  },
  countTasks: (emu) => emu.store.list('tasks').length,
};
