// Reads back what Patchbay wrote into Zoho's emulator through the vendor's own API (the conformance suite and the
// API tests of the call_logging template share it): the seeded agent, a call log, a task, a note, and counts.
import type { CrmReadBack } from '../kit/conformance';
import { API, createZohoClient } from './client';
import type { ZohoEmulator } from './emulator';

type Rec = Record<string, unknown>;
const idOf = (v: unknown) => (v && typeof v === 'object' ? String((v as { id: unknown }).id) : null);

export const zohoReadBack: CrmReadBack<ZohoEmulator> = {
  // Not the integration user (the default owner), so an Owner that was not set would show.
  agent: (emu) => {
    const u = emu.store.users.find((x) => x.status === 'active' && x.id !== emu.store.currentUserId)!;
    return { id: u.id, email: u.email };
  },
  async readCallLog(_emu, call, ref) {
    const c = ((await createZohoClient(call).request<{ data: Rec[] }>({ path: `${API}/Calls/${ref.id}` })).body.data[0]);
    const description = String(c.Description ?? '');
    return {
      direction: c.Call_Type === 'Outbound' ? 'outbound' : 'inbound',
      status: /^Result: (.+)$/m.exec(description)?.[1] ?? '',
      contactId: idOf(c.Who_Id),
      ownerId: idOf(c.Owner),
      notes: description,
      callId: /^Call id: (.+)$/m.exec(description)?.[1] ?? null,
    };
  },
  countCallLogs: (emu) => emu.store.list('Calls').length,
  async readTask(_emu, call, ref) {
    const t = (await createZohoClient(call).request<{ data: Rec[] }>({ path: `${API}/Tasks/${ref.id}` })).body.data[0];
    return { subject: String(t.Subject), contactId: idOf(t.Who_Id), ownerId: idOf(t.Owner) };
  },
  async readNote(_emu, call, ref) {
    const n = (await createZohoClient(call).request<{ data: Rec[] }>({ path: `${API}/Notes/${ref.id}` })).body.data[0];
    return { body: String(n.Note_Content ?? ''), contactId: n.$se_module === 'Contacts' ? idOf(n.Parent_Id) : null };
  },
  countTasks: (emu) => emu.store.list('Tasks').length,
};
