// Pipedrive runs the one CRM conformance suite against its emulator.
import { runCrmConformance } from '../kit/conformance';
import { createPipedriveClient } from './client';
import { startPipedriveEmulator } from './emulator';
import { pipedriveConnector } from './manifest';

type Emu = Awaited<ReturnType<typeof startPipedriveEmulator>>;
interface Activity { type: string; done: boolean; subject: string; note: string | null; person_id: number | null; owner_id: number }

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&');

runCrmConformance<Emu>({
  connector: pipedriveConnector,
  start: (o) => startPipedriveEmulator(o),
  tokenCredentials: (token) => ({ apiToken: token, companyDomain: 'patchbay-demo' }),
  oauth: {
    authorizePath: '/oauth/authorize',
    tokenPath: '/oauth/token',
    credentials: (t, client) => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, ...client }),
  },
  // User 1 is the token's user (the default owner); the agent is another one.
  agent: (emu) => {
    const u = emu.store.users.get(2)!;
    return { id: String(u.id), email: u.email };
  },
  async readCallLog(_emu, call, ref) {
    const a = await createPipedriveClient(call).get<Activity>(`/api/v2/activities/${ref.id}`);
    if (a.type !== 'call' || !a.done) throw new Error(`Activity ${ref.id} is not a done call activity`);
    const note = a.note ?? '';
    return {
      direction: /Direction: inbound/.test(note) ? 'inbound' : 'outbound',
      status: /Result: ([a-z ]+)/.exec(note)?.[1] ?? '',
      contactId: a.person_id === null ? null : String(a.person_id),
      ownerId: String(a.owner_id),
      notes: text(note),
      callId: /Call id: ([^<]+)/.exec(note)?.[1] ?? null,
    };
  },
  countCallLogs: (emu) => [...emu.store.tables.activities.rows.values()].filter((a) => a.type === 'call' && a.done && !a.is_deleted).length,
  async readTask(_emu, call, ref) {
    const a = await createPipedriveClient(call).get<Activity>(`/api/v2/activities/${ref.id}`);
    return { subject: a.subject, contactId: a.person_id === null ? null : String(a.person_id), ownerId: String(a.owner_id) };
  },
  async readNote(_emu, call, ref) {
    const n = await createPipedriveClient(call).get<{ content: string; person_id: number | null }>(`/v1/notes/${ref.id}`);
    return { body: text(n.content), contactId: n.person_id === null ? null : String(n.person_id) };
  },
});
