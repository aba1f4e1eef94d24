'use client';
// The staff Customers page: every customer with a health word (search, filter by health), a form to create one
// by hand; and one customer's integrations (and the versions they run), templates, connections, runs and syncs.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import type { StaffCustomerDetail, StaffCustomerListItem } from '@/lib/templates/staff-views';
import { apiGet, apiSend, useStaffMutation } from '../api-client';
import { useStaff } from '../staff/staff-context';
import { EmptyState } from '../ui/empty-state';
import { RelativeTime } from '../ui/relative-time';
import { StatusBadge } from '../ui/status-badge';

const KEY = ['customers-overview'] as const;
const HEALTH_TONE: Record<string, string> = { ok: 'badge-ok', failing: 'badge-err', paused: 'badge-warn', idle: 'badge-muted' };

export function CustomersView() {
  const staff = useStaff();
  const [search, setSearch] = useState('');
  const [health, setHealth] = useState('');
  const list = useQuery({ queryKey: [...KEY, search, health], queryFn: () => apiGet<StaffCustomerListItem[]>('/api/staff/customers/overview', { search, health }), staleTime: 0, refetchOnMount: 'always' });
  const [creating, setCreating] = useState(false);
  return (
    <div className="page" data-testid="customers-page">
      <div className="page-head">
        <div>
          <h1>Customers</h1>
          <p>Your customers, their integrations and how they are doing.</p>
        </div>
        <button type="button" className="btn btn-primary" disabled={!staff.canWrite} title={staff.writeDeniedReason ?? undefined} onClick={() => setCreating(!creating)} data-testid="new-customer">New customer</button>
      </div>
      {creating && <NewCustomer onDone={() => setCreating(false)} />}
      <div className="toolbar" style={{ marginBottom: 12 }}>
        <input className="input" style={{ width: 260 }} placeholder="Search by id or name" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search" data-testid="customer-search" />
        <select className="select" value={health} onChange={(e) => setHealth(e.target.value)} aria-label="Health" data-testid="customer-health-filter">
          <option value="">any health</option>
          <option value="ok">working</option>
          <option value="failing">failing</option>
          <option value="paused">paused</option>
          <option value="idle">idle</option>
        </select>
      </div>
      {list.isError && <p className="notice notice-err" role="alert">{(list.error as Error).message}</p>}
      {list.isSuccess && !list.data.length && <EmptyState title="No customers match" testId="customers-empty">Change the search or the filter, or create a customer.</EmptyState>}
      {list.isSuccess && list.data.length > 0 && (
        <table className="table card" data-testid="customers-table">
          <thead><tr><th>Customer</th><th>Health</th><th>Integrations</th><th>Templates</th><th>Last run</th></tr></thead>
          <tbody>
            {list.data.map((c) => (
              <tr key={c.id} data-testid={`customer-row-${c.externalId}`}>
                <td><Link href={`/customers/${encodeURIComponent(c.externalId)}`}><strong>{c.name}</strong></Link> <span className="muted mono">{c.externalId}</span></td>
                <td><span className={`badge ${HEALTH_TONE[c.health]}`} data-testid="customer-health">{c.health}</span>{c.healthReason && <div className="muted">{c.healthReason}</div>}</td>
                <td>{c.integrations}</td>
                <td>{c.templates}</td>
                <td>{c.lastRunAt ? <RelativeTime iso={c.lastRunAt} /> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function NewCustomer({ onDone }: { onDone: () => void }) {
  const [externalId, setExternalId] = useState('');
  const [name, setName] = useState('');
  const [defaultCountry, setDefaultCountry] = useState('US');
  const create = useStaffMutation(() => apiSend('POST', '/api/staff/customers', { externalId, name, defaultCountry }), { invalidate: [KEY, ['customers']], onSuccess: onDone });
  return (
    <section className="card" style={{ padding: 16, marginBottom: 16 }} data-testid="new-customer-form">
      <div style={{ display: 'grid', gridTemplateColumns: '1fr 2fr 100px auto', gap: 12, alignItems: 'end' }}>
        <label className="field"><span>Id (yours; used in URLs)</span><input className="input mono" value={externalId} onChange={(e) => setExternalId(e.target.value)} data-testid="customer-external-id" /></label>
        <label className="field"><span>Name</span><input className="input" value={name} onChange={(e) => setName(e.target.value)} data-testid="customer-name" /></label>
        <label className="field"><span>Country</span><input className="input" maxLength={2} value={defaultCountry} onChange={(e) => setDefaultCountry(e.target.value.toUpperCase())} data-testid="customer-country" /></label>
        <button type="button" className="btn btn-primary" disabled={create.isPending} onClick={() => create.mutate(undefined)} data-testid="customer-create">Create</button>
      </div>
      {create.error && <p className="notice notice-err" role="alert" style={{ marginTop: 8 }} data-testid="customer-create-error">{create.error.message}</p>}
    </section>
  );
}

export function CustomerDetailView({ id }: { id: string }) {
  const q = useQuery({ queryKey: [...KEY, 'detail', id], queryFn: () => apiGet<StaffCustomerDetail>(`/api/staff/customers/${encodeURIComponent(id)}/detail`), refetchInterval: 10_000, staleTime: 0, refetchOnMount: 'always' });
  if (q.isError) return <div className="page"><p className="notice notice-err" role="alert">{(q.error as Error).message}</p></div>;
  if (!q.data) return <div className="page"><p className="muted">Loading…</p></div>;
  const d = q.data;
  return (
    <div className="page" data-testid="customer-detail">
      <p style={{ margin: '0 0 8px' }}><Link href="/customers">← Customers</Link></p>
      <div className="page-head">
        <div>
          <h1>{d.customer.name} <span className="muted mono" style={{ fontSize: 14 }}>{d.customer.externalId}</span></h1>
          <p><span className={`badge ${HEALTH_TONE[d.customer.health]}`}>{d.customer.health}</span> {d.customer.healthReason} · default country {d.customer.defaultCountry}</p>
        </div>
      </div>

      <h2 style={{ margin: '8px 0' }}>Templates</h2>
      {!d.templates.length ? <p className="muted">None enabled.</p> : (
        <table className="table card" data-testid="customer-templates">
          <thead><tr><th>Template</th><th>Version</th><th>Status</th><th>Health</th></tr></thead>
          <tbody>{d.templates.map((t) => (
            <tr key={t.templateId}><td><Link href={`/templates/${t.templateId}`}>{t.name}</Link></td>
              <td>v{t.version}{t.pinned && <span className="badge badge-info" style={{ marginLeft: 6 }}>pinned</span>}{t.previousVersion ? <span className="muted"> (was v{t.previousVersion})</span> : null}</td>
              <td>{t.status}</td><td>{t.health.summary}</td></tr>
          ))}</tbody>
        </table>
      )}

      <h2 style={{ margin: '16px 0 8px' }}>Integrations</h2>
      {!d.integrations.length ? <p className="muted">No automation is enabled.</p> : (
        <table className="table card" data-testid="customer-integrations">
          <thead><tr><th>Automation</th><th>Flow</th><th>Version</th><th>From template</th><th>Enabled</th></tr></thead>
          <tbody>{d.integrations.map((i) => (
            <tr key={i.automation}><td className="mono">{i.automation}</td><td><Link href={`/flows/${i.flowId}`}>{i.flowName}</Link></td>
              <td>{i.version ? `v${i.version}` : '—'} <span className="muted">({i.follows === 'pinned' ? 'fixed' : 'follows published'})</span></td>
              <td>{i.template ?? '—'}</td><td>{i.enabled ? 'yes' : <span className="badge badge-warn">paused</span>}</td></tr>
          ))}</tbody>
        </table>
      )}

      <h2 style={{ margin: '16px 0 8px' }}>Connections</h2>
      {!d.connections.length ? <p className="muted">Nothing connected.</p> : (
        <table className="table card" data-testid="customer-connections">
          <thead><tr><th>System</th><th>Status</th><th>Last success</th><th>Last error</th></tr></thead>
          <tbody>{d.connections.map((c) => (
            <tr key={c.system}><td>{c.name}</td><td><span className={`badge ${c.status === 'ok' ? 'badge-ok' : c.status === 'error' ? 'badge-err' : 'badge-muted'}`}>{c.status}</span></td>
              <td>{c.lastSuccessAt ? <RelativeTime iso={c.lastSuccessAt} /> : '—'}</td><td>{c.lastError ?? ''}</td></tr>
          ))}</tbody>
        </table>
      )}

      <h2 style={{ margin: '16px 0 8px' }}>Recent runs</h2>
      {!d.runs.length ? <p className="muted">No runs yet.</p> : (
        <table className="table card" data-testid="customer-runs">
          <thead><tr><th>Automation</th><th>Status</th><th>When</th><th>Took</th></tr></thead>
          <tbody>{d.runs.map((r) => (
            <tr key={r.id}><td className="mono"><Link href={`/runs/${r.id}`}>{r.automation}</Link></td><td><StatusBadge status={r.status} /></td><td><RelativeTime iso={r.startedAt} /></td><td>{r.durationMs == null ? '—' : `${Math.round(r.durationMs)} ms`}</td></tr>
          ))}</tbody>
        </table>
      )}

      <h2 style={{ margin: '16px 0 8px' }}>Syncs</h2>
      {!d.syncs.length ? <p className="muted">No contact sync has run.</p> : (
        <table className="table card" data-testid="customer-syncs">
          <thead><tr><th>Source</th><th>Kind</th><th>Status</th><th>When</th><th>Read / written / deleted / failed</th></tr></thead>
          <tbody>{d.syncs.map((s, i) => (
            <tr key={i}><td>{s.syncKey}</td><td>{s.kind}</td><td><StatusBadge status={s.status} /></td><td><RelativeTime iso={s.startedAt} /></td><td className="mono">{s.read} / {s.written} / {s.deleted} / {s.failed}{s.error ? ` — ${s.error}` : ''}</td></tr>
          ))}</tbody>
        </table>
      )}
    </div>
  );
}
