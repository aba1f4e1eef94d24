'use client';
// The staff Templates page: what the vendor offers its customers, who runs which version, and a form that makes
// a new template from flows (automation names come from the flows; options and connections are set here).
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { FlowListItem } from '@/lib/staff-api/contract';
import type { StaffTemplateListItem } from '@/lib/templates/staff-views';
import { apiGet, apiSend, staffApi, useStaffMutation } from '../api-client';
import { useStaff } from '../staff/staff-context';
import { EmptyState } from '../ui/empty-state';
import { RelativeTime } from '../ui/relative-time';
import { TemplateForm, type TemplateFormValue } from './template-form';

export const TEMPLATES_KEY = ['templates'] as const;

export function TemplatesList() {
  const staff = useStaff();
  const router = useRouter();
  const list = useQuery({ queryKey: TEMPLATES_KEY, queryFn: () => apiGet<StaffTemplateListItem[]>('/api/staff/templates'), staleTime: 0, refetchOnMount: 'always' });
  const [creating, setCreating] = useState(false);
  const create = useStaffMutation((v: TemplateFormValue) => apiSend<{ id: string; version: number }>('POST', '/api/staff/templates', v), {
    invalidate: [TEMPLATES_KEY], onSuccess: (r) => router.push(`/templates/${r.id}`),
  });
  return (
    <div className="page" data-testid="templates-page">
      <div className="page-head">
        <div>
          <h1>Templates</h1>
          <p>What your customers enable in their portal: the flows of one integration, its settings and the connections it needs. Versions reach customers by roll-out.</p>
        </div>
        <button type="button" className="btn btn-primary" disabled={!staff.canWrite} title={staff.writeDeniedReason ?? undefined} onClick={() => setCreating(true)} data-testid="new-template">New template</button>
      </div>
      {creating && <NewTemplate busy={create.isPending} error={create.error?.message ?? null} onCancel={() => setCreating(false)} onSubmit={(v) => create.mutate(v)} />}
      {list.isError && <p className="notice notice-err" role="alert">{(list.error as Error).message}</p>}
      {list.isSuccess && !list.data.length && <EmptyState title="No templates yet" testId="templates-empty">Make one from your published flows with “New template”.</EmptyState>}
      {list.isSuccess && list.data.length > 0 && (
        <table className="table card" data-testid="templates-table">
          <thead><tr><th>Template</th><th>Published</th><th>Latest</th><th>Customers</th><th>By version</th><th>Changed</th></tr></thead>
          <tbody>
            {list.data.map((t) => (
              <tr key={t.id} data-testid={`template-row-${t.slug}`}>
                <td><Link href={`/templates/${t.id}`}><strong>{t.name}</strong></Link><div className="muted">{t.description}</div></td>
                <td>{t.publishedVersion ? <span className="badge badge-ok">v{t.publishedVersion}</span> : <span className="badge badge-muted">draft</span>}</td>
                <td>v{t.latestVersion}</td>
                <td>{t.customers.total}{t.customers.paused ? <span className="muted"> ({t.customers.paused} paused)</span> : null}</td>
                <td className="mono">{Object.entries(t.customers.byVersion).map(([v, n]) => `v${v}: ${n}`).join(' · ') || '—'}</td>
                <td><RelativeTime iso={t.updatedAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function NewTemplate(p: { busy: boolean; error: string | null; onCancel: () => void; onSubmit: (v: TemplateFormValue) => void }) {
  const flows = useQuery({ queryKey: ['flows'], queryFn: staffApi.flows });
  return (
    <section className="card" style={{ padding: 16, marginBottom: 16 }} data-testid="new-template-form">
      <h2 style={{ marginBottom: 12 }}>New template</h2>
      {flows.data && <TemplateForm flows={flows.data as FlowListItem[]} busy={p.busy} error={p.error} submitLabel="Create (version 1, unpublished)" onCancel={p.onCancel} onSubmit={p.onSubmit} />}
    </section>
  );
}
