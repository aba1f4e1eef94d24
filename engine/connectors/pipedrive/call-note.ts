// What a logged call looks like in Pipedrive: the call activity's subject, its HH:MM duration, and the HTML
// (Pipedrive notes and activity notes are sanitised HTML) for the activity note and the note on the person.
export const CALL_STATUSES = ['answered', 'missed', 'declined', 'busy', 'no_answer', 'voicemail', 'transferred', 'failed', 'cancelled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export type CallDirection = 'inbound' | 'outbound';

export const STATUS_LABEL: Record<CallStatus, string> = {
  answered: 'answered', missed: 'missed', declined: 'declined', transferred: 'transferred', busy: 'busy', no_answer: 'no answer', voicemail: 'voicemail', failed: 'failed', cancelled: 'cancelled',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** "Inbound call from +12125550100", "Outbound call to 020 7946 0000 (no answer)". */
export function callSubject(o: { direction: CallDirection; status: CallStatus; from?: string | null; to?: string | null }): string {
  const other = o.direction === 'inbound' ? o.from : o.to;
  const base = `${o.direction === 'inbound' ? 'Inbound' : 'Outbound'} call${other ? ` ${o.direction === 'inbound' ? 'from' : 'to'} ${other}` : ''}`;
  return o.status === 'answered' ? base : `${base} (${STATUS_LABEL[o.status]})`;
}

const STATUS_SUFFIX = new RegExp(`\\s\\((${Object.values(STATUS_LABEL).join('|')})\\)$`);

/** The same subject with another outcome. */
export function withStatus(subject: string, status: CallStatus): string {
  const base = subject.replace(STATUS_SUFFIX, '');
  return status === 'answered' ? base : `${base} (${STATUS_LABEL[status]})`;
}

/** Pipedrive activity durations are HH:MM; a call of any length counts as at least a minute. */
export function durationHHMM(seconds: number): string {
  const minutes = seconds > 0 ? Math.ceil(seconds / 60) : 0;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return [h ? `${h}h` : '', m ? `${m}m` : '', `${s % 60}s`].filter(Boolean).join(' ');
}

export function paragraphs(text: string): string {
  return text.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('');
}

export interface CallDetails {
  direction: CallDirection;
  status: CallStatus;
  from?: string | null;
  to?: string | null;
  startedAt: Date;
  durationSec: number;
  recordingUrl?: string | null;
  notes?: string | null;
  /** The phone system's call id, kept in the activity note so a retried log can find the activity. */
  callId?: string | null;
}

/** The line of the activity note that carries the phone system's call id. */
export function callIdLine(callId: string): string {
  return `Call id: ${escapeHtml(callId)}`;
}

export function recordingLink(url: string): string {
  return `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
}

export function callDetailsHtml(d: CallDetails): string {
  const rows = [
    `Direction: ${d.direction}`,
    d.from ? `From: ${escapeHtml(d.from)}` : '',
    d.to ? `To: ${escapeHtml(d.to)}` : '',
    `Result: ${STATUS_LABEL[d.status]}`,
    `Started: ${d.startedAt.toISOString()}`,
    `Duration: ${humanDuration(d.durationSec)}`,
    d.callId ? callIdLine(d.callId) : '',
  ].filter(Boolean);
  let html = `<p><b>Call details</b></p><ul>${rows.map((r) => `<li>${r}</li>`).join('')}`;
  if (d.recordingUrl) html += `<li>Recording: ${recordingLink(d.recordingUrl)}</li>`;
  html += '</ul>';
  if (d.notes) html += paragraphs(d.notes);
  return html;
}

/** The note on the person: what happened, the recording and the agent's notes. */
export function personNoteHtml(subject: string, d: CallDetails): string {
  let html = `<p><b>${escapeHtml(subject)}</b> — ${d.startedAt.toISOString()}, ${humanDuration(d.durationSec)}</p>`;
  if (d.recordingUrl) html += `<p>Recording: ${recordingLink(d.recordingUrl)}</p>`;
  if (d.notes) html += paragraphs(d.notes);
  return html;
}

/** Appends later information (a recording that became available, a disposition, more notes) to existing HTML. */
export function appendUpdateHtml(existing: string | null | undefined, u: { status?: CallStatus; recordingUrl?: string | null; notes?: string | null; at: Date }): string {
  const base = existing ?? '';
  const rows: string[] = [];
  if (u.status) rows.push(`Result: ${STATUS_LABEL[u.status]}`);
  if (u.recordingUrl && !base.includes(escapeHtml(u.recordingUrl))) rows.push(`Recording: ${recordingLink(u.recordingUrl)}`);
  let html = rows.length ? `<p><b>Update</b> (${u.at.toISOString()})</p><ul>${rows.map((r) => `<li>${r}</li>`).join('')}</ul>` : '';
  if (u.notes) html += (rows.length ? '' : `<p><b>Update</b> (${u.at.toISOString()})</p>`) + paragraphs(u.notes);
  return html ? base + html : base;
}
