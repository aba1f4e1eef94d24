// Copper runs the one CRM conformance suite against its emulator.
import { runCrmConformance } from '../kit/conformance';
import { createCopperClient } from './client';
import { COPPER_EMULATOR_EMAIL, COPPER_PHONE_CALL_TYPE_ID, startCopperEmulator, type CopperEmulator } from './emulator';
import { copperConnector } from './manifest';

interface Activity { type: { id: number; category: string }; parent: { id: number; type: string }; details: string; user_id: number }

runCrmConformance<CopperEmulator>({
  connector: copperConnector,
  start: (o) => startCopperEmulator(o),
  tokenCredentials: (token) => ({ apiKey: token, email: COPPER_EMULATOR_EMAIL }),
  oauth: {
    authorizePath: '/oauth/authorize',
    tokenPath: '/oauth/token',
    credentials: (t, client) => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, ...client }),
  },
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
});
