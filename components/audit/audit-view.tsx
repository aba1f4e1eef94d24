'use client';
// The Audit page: who changed what (flows, templates, rollouts, API keys, connections, integrations), newest
// first, filtered by kind, paged back with "Older".
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { AuditEntryWire } from '@/lib/audit/record-audit';
import { apiGet } from '../api-client';
import { EmptyState } from '../ui/empty-state';
import { RelativeTime } from '../ui/relative-time';

const KINDS = ['', 'flow', 'template', 'rollout', 'api_key', 'connection', 'integration', 'customer', 'vendor', 'staff_user', 'embed_settings'];
const ACTOR: Record<string, string> = { staff: 'staff', api_key: 'API key', portal: 'customer portal', operator: 'operator', system: 'Patchbay' };

export function AuditView() {
  const [target, setTarget] = useState('');
  const log = useInfiniteQuery({
    queryKey: ['audit', target],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => apiGet<{ entries: AuditEntryWire[]; nextBefore: string | null }>('/api/staff/audit', { target, before: pageParam, limit: 50 }),
    getNextPageParam: (last) => last.nextBefore,
  });
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? [];
  return (
    <div className="page" data-testid="audit-page">
      <div className="page-head">
        <div>
          <h1>Audit log</h1>
          <p>Who changed what in this workspace: flows, templates, rollouts, API keys, connections and integrations.</p>
        </div>
        <label className="field">
          <span>Changes to</span>
          <select className="select" value={target} onChange={(e) => setTarget(e.target.value)} data-testid="audit-kind">
            {KINDS.map((k) => <option key={k} value={k}>{k ? k.replace('_', ' ') : 'everything'}</option>)}
          </select>
        </label>
      </div>
      {log.isError && <div className="notice notice-err">Could not load the audit log: {(log.error as Error).message}</div>}
      {log.isSuccess && !entries.length && <EmptyState title="Nothing recorded yet" testId="audit-empty">Changes appear here as people make them.</EmptyState>}
      {entries.length > 0 && (
        <table className="table card" data-testid="audit-table">
          <thead><tr><th>When</th><th>Who</th><th>What</th><th>On</th><th>Customer</th><th>Details</th></tr></thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-testid="audit-row">
                <td><RelativeTime iso={e.at} /></td>
                <td>{e.actor.label} <span className="muted">({ACTOR[e.actor.kind] ?? e.actor.kind})</span></td>
                <td><code>{e.action}</code></td>
                <td>{e.target.label ?? e.target.id ?? e.target.kind}</td>
                <td>{e.customer ?? <span className="muted">—</span>}</td>
                <td className="muted" style={{ fontSize: 12 }}>{e.details ? JSON.stringify(e.details) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {log.hasNextPage && <button type="button" className="btn" style={{ marginTop: 12 }} onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>Older</button>}
    </div>
  );
}
