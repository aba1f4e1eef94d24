// Salesforce runs the one CRM conformance suite against its emulator.
import { runCrmConformance } from '../kit/conformance';
import { createSalesforceClient } from './client';
import { startSalesforceEmulator, type SalesforceEmulator } from './emulator';
import { salesforceConnector } from './manifest';
import { API_BASE } from './soql';

type Rec = Record<string, string | number | null>;

runCrmConformance<SalesforceEmulator>({
  connector: salesforceConnector,
  start: (o) => startSalesforceEmulator(o),
  tokenCredentials: (token) => ({ token }),
  oauth: {
    authorizePath: '/services/oauth2/authorize',
    tokenPath: '/services/oauth2/token',
    credentials: (t, client) => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, instanceUrl: t.raw.instance_url, ...client }),
  },
  // Not the API user (the default owner), so an OwnerId that was not set would show.
  agent: (emu) => {
    const u = emu.store.list('User').find((x) => x.IsActive && x.Id !== emu.store.apiUserId)!;
    return { id: String(u.Id), email: String(u.Email) };
  },
  async readCallLog(_emu, call, ref) {
    const t = (await createSalesforceClient(call).request<Rec>({ path: `${API_BASE}/sobjects/Task/${ref.id}` })).body;
    if (t.TaskSubtype !== 'Call' || t.Status !== 'Completed') throw new Error(`Task ${ref.id} is not a completed call Task`);
    return {
      direction: t.CallType === 'Inbound' ? 'inbound' : 'outbound',
      status: String(t.CallDisposition ?? '').toLowerCase(),
      contactId: t.WhoId as string | null,
      ownerId: t.OwnerId as string | null,
      notes: String(t.Description ?? ''),
      callId: t.CallObject as string | null,
    };
  },
  countCallLogs: (emu) => emu.store.calls().length,
  async readTask(_emu, call, ref) {
    const t = (await createSalesforceClient(call).request<Rec>({ path: `${API_BASE}/sobjects/Task/${ref.id}` })).body;
    return { subject: String(t.Subject), contactId: t.WhoId as string | null, ownerId: t.OwnerId as string | null };
  },
  async readNote(_emu, call, ref) {
    const n = (await createSalesforceClient(call).request<Rec>({ path: `${API_BASE}/sobjects/Note/${ref.id}` })).body;
    return { body: String(n.Body ?? ''), contactId: n.ParentId as string | null };
  },
});
