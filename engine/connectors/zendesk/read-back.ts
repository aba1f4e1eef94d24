// Reads back what Patchbay wrote into Zendesk's emulator through the vendor's own API (the conformance suite and the
// API tests of the call_logging template share it): the seeded agent, a call (a block of the user's notes or an
// internal ticket comment), a task ticket, a note block, and counts.
import type { CrmReadBack } from '../kit/conformance';
import { createZendeskClient } from './client';
import { readBlock } from './crm';
import type { ZendeskEmulator } from './emulator';

const field = (text: string, label: string) => new RegExp(`^${label}: (.*)$`, 'm').exec(text)?.[1] ?? null;

export const zendeskReadBack: CrmReadBack<ZendeskEmulator> = {
  // The admin owns the API token; the agent is another agent.
  agent: (emu) => { const a = emu.store.agents()[1]; return { id: String(a.id), email: a.email! }; },
  async readCallLog(_emu, call, ref) {
    const client = createZendeskClient(call);
    if (ref.type === 'ticket_comment') {
      const [ticketId, commentId] = ref.id.split(':').map(Number);
      const { ticket } = await client.get<{ ticket: { requester_id: number } }>(`/tickets/${ticketId}.json`);
      const { comments } = await client.get<{ comments: { id: number; body: string; author_id: number; public: boolean }[] }>(`/tickets/${ticketId}/comments.json`);
      const c = comments.find((x) => x.id === commentId);
      if (!c || c.public) throw new Error(`Ticket ${ticketId} has no internal comment ${commentId}`);
      return { direction: field(c.body, 'Direction') === 'inbound' ? 'inbound' : 'outbound', status: field(c.body, 'Result') ?? '', contactId: String(ticket.requester_id), ownerId: String(c.author_id), notes: c.body, callId: field(c.body, 'Call id') };
    }
    const i = ref.id.indexOf(':');
    const userId = ref.id.slice(0, i);
    const { user } = await client.get<{ user: { notes: string } }>(`/users/${userId}.json`);
    const block = readBlock(user.notes, 'call', ref.id.slice(i + 1));
    if (block === null) throw new Error(`User ${userId} has no call block ${ref.id}`);
    return { direction: field(block, 'Direction') === 'inbound' ? 'inbound' : 'outbound', status: field(block, 'Result') ?? '', contactId: userId, ownerId: /\(user (\d+)\)$/m.exec(field(block, 'Agent') ?? '')?.[1] ?? null, notes: block, callId: field(block, 'Call id') };
  },
  countCallLogs: (emu) => [...emu.store.users.values()].reduce((n, u) => n + (u.notes.match(/^\[call [^\]\n]+\]$/gm)?.length ?? 0), 0)
    + emu.store.comments().filter((c) => !c.public && /^Direction: /m.test(c.body) && !c.body.startsWith('Update to ')).length,
  async readTask(_emu, call, ref) {
    const { ticket } = await createZendeskClient(call).get<{ ticket: { subject: string; type: string; requester_id: number; assignee_id: number | null } }>(`/tickets/${ref.id}.json`);
    if (ticket.type !== 'task') throw new Error(`Ticket ${ref.id} is not a task`);
    return { subject: ticket.subject, contactId: String(ticket.requester_id), ownerId: ticket.assignee_id === null ? null : String(ticket.assignee_id) };
  },
  async readNote(_emu, call, ref) {
    const client = createZendeskClient(call);
    if (ref.type === 'ticket_comment') {
      const [ticketId, commentId] = ref.id.split(':').map(Number);
      const { ticket } = await client.get<{ ticket: { requester_id: number } }>(`/tickets/${ticketId}.json`);
      const { comments } = await client.get<{ comments: { id: number; body: string }[] }>(`/tickets/${ticketId}/comments.json`);
      return { body: comments.find((c) => c.id === commentId)?.body ?? '', contactId: String(ticket.requester_id) };
    }
    const i = ref.id.indexOf(':');
    const { user } = await client.get<{ user: { notes: string } }>(`/users/${ref.id.slice(0, i)}.json`);
    return { body: readBlock(user.notes, 'note', ref.id.slice(i + 1)) ?? '', contactId: ref.id.slice(0, i) };
  },
  countTasks: (emu) => [...emu.store.tickets.values()].filter((t) => t.type === 'task').length,
};
