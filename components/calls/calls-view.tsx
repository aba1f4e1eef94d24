'use client';
// The Calls page: each recent call of the vendor's customers with its events on a timeline (in the order they
// happened, whatever order they arrived in), the automation runs it started, and links to the CRM record written
// for it and to the stored recording. Polled every 5 s.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { CallWire } from '@/lib/calls/list-calls';
import { apiGet } from '../api-client';
import { EmptyState } from '../ui/empty-state';
import { RelativeTime } from '../ui/relative-time';
import { StatusBadge } from '../ui/status-badge';
import styles from './calls.module.css';

interface RecordRef { system: string; type: string; id: string; url: string | null }

export function CallsView() {
  const calls = useQuery({ queryKey: ['calls'], queryFn: () => apiGet<CallWire[]>('/api/staff/calls'), refetchInterval: 5000 });
  const list = calls.data ?? [];
  return (
    <div className="page" data-testid="calls-page">
      <div className="page-head">
        <div>
          <h1>Calls</h1>
          <p>Calls the phone system reported, with their events, the runs they started and what was written to the CRM.</p>
        </div>
      </div>
      {calls.isError && <div className={styles.error}>Could not load the calls: {(calls.error as Error).message}</div>}
      {calls.isSuccess && !list.length && (
        <EmptyState title="No calls yet" testId="calls-empty">
          Calls appear once the phone system sends its call webhooks (<code>npm run demo:call</code> places some for the demo customer).
        </EmptyState>
      )}
      <div className={styles.list}>
        {list.map((c) => <CallCard key={`${c.customer.externalId}/${c.callId}`} call={c} />)}
      </div>
    </div>
  );
}

function CallCard({ call }: { call: CallWire }) {
  const c = call.call as { direction?: string; from?: string; to?: string; agentEmail?: string; status?: string; durationSec?: number; notes?: string };
  const log = (call.records.log as { ref?: RecordRef } | undefined)?.ref;
  const task = (call.records.task as { ref?: RecordRef } | undefined)?.ref;
  const recording = call.records.recording as { url?: string; key?: string; size?: number } | undefined;
  const events = [...call.events].sort((a, b) => (a.occurredAt ?? a.receivedAt).localeCompare(b.occurredAt ?? b.receivedAt));
  return (
    <div className={`card ${styles.call}`} data-testid="call-card" data-id={call.callId}>
      <div className={styles.head}>
        <h2>{c.direction === 'outbound' ? `To ${c.to ?? '?'}` : `From ${c.from ?? '?'}`} · {call.state}{c.status ? ` (${c.status})` : ''}</h2>
        <span className={styles.meta}><RelativeTime iso={call.updatedAt} /></span>
      </div>
      <div className={styles.meta}>
        {call.customer.name} · call {call.callId}{c.agentEmail ? ` · agent ${c.agentEmail}` : ''}{c.durationSec ? ` · ${c.durationSec} s` : ''}
      </div>
      <ol className={styles.timeline} aria-label="events">
        {events.map((e) => <li key={e.deliveryId} title={`received ${e.receivedAt}`}>{e.event}</li>)}
      </ol>
      <div className={styles.links}>
        {call.runs.map((r) => (
          <Link key={r.id} href={`/runs/${r.id}`} data-testid="call-run">{r.automation} <StatusBadge status={r.status} /></Link>
        ))}
        {log && <RecordLink label="CRM log" r={log} />}
        {task && <RecordLink label="CRM task" r={task} />}
        {recording?.url && <a href={recording.url} target="_blank" rel="noreferrer" data-testid="call-recording">recording ({Math.round((recording.size ?? 0) / 1024)} KB)</a>}
      </div>
      {c.notes && <div className={styles.meta}>Notes: {c.notes}</div>}
    </div>
  );
}

function RecordLink({ label, r }: { label: string; r: RecordRef }) {
  const text = `${label}: ${r.system} ${r.type} ${r.id}`;
  return r.url ? <a href={r.url} target="_blank" rel="noreferrer" data-testid="call-record">{text}</a> : <span data-testid="call-record">{text}</span>;
}
