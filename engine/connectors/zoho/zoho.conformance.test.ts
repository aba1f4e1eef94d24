// Zoho CRM runs the one CRM conformance suite against its emulator.
import { runCrmConformance } from '../kit/conformance';
import { API, createZohoClient } from './client';
import { startZohoEmulator, type ZohoEmulator } from './emulator';
import { zohoConnector } from './manifest';

type Rec = Record<string, unknown>;
const idOf = (v: unknown) => (v && typeof v === 'object' ? String((v as { id: unknown }).id) : null);

runCrmConformance<ZohoEmulator>({
  connector: zohoConnector,
  start: (o) => startZohoEmulator(o),
  tokenCredentials: (token) => ({ token }),
  oauth: {
    authorizePath: '/oauth/v2/auth',
    tokenPath: '/oauth/v2/token',
    credentials: (t, client) => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, ...client }),
  },
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
});
