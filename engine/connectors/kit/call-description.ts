// A call log kept as text, for CRMs whose call object has one description field (Dynamics, Zoho, SugarCRM, Copper):
// a head of "Label: value" lines the phone system owns, a blank line, then the agent's notes. One implementation of
// reading it apart, changing a line, merging notes and the status suffix of a subject, shared by those connectors.
import { notesWithTranscript, type CallLogChanges, type CallStatus } from './crm-contract';
import type { ResolvedCallLog } from './define-crm-connector';

export function splitCallDescription(description: string): { head: string; notes: string } {
  const i = description.indexOf('\n\n');
  return i < 0 ? { head: description, notes: '' } : { head: description.slice(0, i), notes: description.slice(i + 2) };
}

export function joinCallDescription(head: string, notes?: string | null): string {
  return notes ? `${head}\n\n${notes}` : head;
}

/** Replaces the head's "Label: …" line, or appends one. */
export function setDescriptionLine(head: string, label: string, value: string): string {
  const re = new RegExp(`^${label}: .*$`, 'm');
  return re.test(head) ? head.replace(re, `${label}: ${value}`) : `${head}\n${label}: ${value}`;
}

/** The notes after a change: replaced, or appended when `notesMode` is append (a transcript rides along). */
export function mergeCallNotes(notes: string, ch: Pick<CallLogChanges, 'notes' | 'transcript' | 'notesMode'>): string {
  const added = notesWithTranscript(ch.notes, ch.transcript);
  if (!added) return notes;
  return ch.notesMode === 'append' && notes ? `${notes}\n\n${added}` : added;
}

/** "2 min 5 s", "40 s". */
export function durationText(sec: number): string {
  return sec >= 60 ? `${Math.floor(sec / 60)} min ${sec % 60} s` : `${sec} s`;
}

/** A subject with its status suffix changed: "Inbound call from … (missed)" → "Inbound call from …" when answered. */
export function subjectWithStatus(subject: string, status: CallStatus): string {
  return subject.replace(/ \((missed|declined|busy|voicemail|transferred|failed)\)$/, '') + (status === 'answered' ? '' : ` (${status})`);
}

/** The line that names the call: a retried log finds its record again by it. */
export const callIdLine = (callId: string) => `Call id: ${callId}`;

/** The details lines of a call's description (the head), in the order every text-description CRM writes them. */
export function callDetailLines(log: ResolvedCallLog): string[] {
  return [
    `Direction: ${log.direction}`,
    `Result: ${log.status}`,
    log.from ? `From: ${log.from}` : null,
    log.to ? `To: ${log.to}` : null,
    `Duration: ${durationText(log.durationSec)}`,
    log.recordingUrl ? `Recording: ${log.recordingUrl}` : null,
    log.callId ? callIdLine(log.callId) : null,
  ].filter((l): l is string => !!l);
}
