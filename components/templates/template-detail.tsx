'use client';
// One template for staff: its versions (publish one, to nobody yet, everyone, a canary share or a list of
// customers), its roll-outs with one-click rollback, shadow replay of recorded runs through a new version
// (answers and would-be writes side by side), and its customers with their versions and pins.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { FlowListItem } from '@/lib/staff-api/contract';
import type { RolloutTarget } from '@/lib/templates/rollout';
import type { ShadowCase, ShadowReport, ShadowSide } from '@/lib/templates/shadow-replay';
import type { StaffTemplateDetail } from '@/lib/templates/staff-views';
import { apiGet, apiSend, staffApi, useStaffMutation } from '../api-client';
import { useStaff } from '../staff/staff-context';
import { JsonView } from '../ui/json-view';
import { RelativeTime } from '../ui/relative-time';
import { TemplateForm, type TemplateFormValue } from './template-form';
import { TEMPLATES_KEY } from './templates-list';

type Target = RolloutTarget | { kind: 'none' };

export function TemplateDetailView({ id }: { id: string }) {
  const staff = useStaff();
  const key = [...TEMPLATES_KEY, id];
  // Customers enable, pause and move on their own: always fresh on opening, and kept fresh while open.
  const q = useQuery({ queryKey: key, queryFn: () => apiGet<StaffTemplateDetail>(`/api/staff/templates/${id}`), staleTime: 0, refetchOnMount: 'always', refetchInterval: 10_000 });
  const [editing, setEditing] = useState(false);
  const flows = useQuery({ queryKey: ['flows'], queryFn: staffApi.flows, enabled: editing });
  const saveVersion = useStaffMutation((v: TemplateFormValue) => apiSend<{ version: number }>('POST', `/api/staff/templates/${id}/versions`, v), { invalidate: [TEMPLATES_KEY], onSuccess: () => setEditing(false) });
  if (q.isError) return <div className="page"><p className="notice notice-err" role="alert">{(q.error as Error).message}</p></div>;
  if (!q.data) return <div className="page"><p className="muted">Loading…</p></div>;
  const d = q.data;
  const latest = d.versions[0];
  return (
    <div className="page" data-testid="template-detail">
      <p style={{ margin: '0 0 8px' }}><Link href="/templates">← Templates</Link></p>
      <div className="page-head">
        <div>
          <h1>{d.template.name}</h1>
          <p>{d.template.description}</p>
        </div>
        <div className="toolbar">
          <span className="badge badge-info" data-testid="published-version">{d.template.publishedVersion ? `published v${d.template.publishedVersion}` : 'not published'}</span>
          <button type="button" className="btn" disabled={!staff.canWrite} onClick={() => setEditing(!editing)} data-testid="new-version">{editing ? 'Cancel' : 'New version'}</button>
        </div>
      </div>
      {editing && flows.data && latest && (
        <section className="card" style={{ padding: 16, marginBottom: 16 }}>
          <h2 style={{ marginBottom: 12 }}>Version {d.template.latestVersion + 1}</h2>
          <TemplateForm flows={flows.data as FlowListItem[]} initial={{ name: d.template.name, description: d.template.description, icon: d.template.icon, definition: latest.definition }}
            busy={saveVersion.isPending} error={saveVersion.error?.message ?? null} submitLabel="Save version (unpublished)" onCancel={() => setEditing(false)} onSubmit={(v) => saveVersion.mutate(v)} />
        </section>
      )}

      <h2 style={{ margin: '8px 0' }}>Versions</h2>
      <table className="table card" data-testid="versions-table">
        <thead><tr><th>Version</th><th>Flows</th><th>Options</th><th>Customers</th><th>Published</th><th>Roll out</th></tr></thead>
        <tbody>
          {d.versions.map((v) => (
            <tr key={v.version} data-testid={`version-${v.version}`}>
              <td>v{v.version}{v.message && <div className="muted">{v.message}</div>}</td>
              <td className="mono">{v.definition.flows.map((f) => `${f.automation}@${f.flowVersion}`).join(', ')}</td>
              <td className="mono">{v.definition.options.map((o) => o.key).join(', ') || '—'}</td>
              <td>{d.template.customers.byVersion[String(v.version)] ?? 0}</td>
              <td>{v.publishedAt ? <RelativeTime iso={v.publishedAt} /> : <span className="badge badge-muted">draft</span>}</td>
              <td><PublishControl templateId={id} version={v.version} published={!!v.publishedAt} disabled={!staff.canWrite} customers={d.customers.map((c) => c.id)} /></td>
            </tr>
          ))}
        </tbody>
      </table>

      <Rollouts templateId={id} detail={d} canWrite={staff.canWrite} />
      {d.versions.length > 1 && <ShadowReplay templateId={id} versions={d.versions.map((v) => v.version)} />}
      <Customers templateId={id} detail={d} canWrite={staff.canWrite} />
    </div>
  );
}

function PublishControl({ templateId, version, published, disabled, customers }: { templateId: string; version: number; published: boolean; disabled: boolean; customers: string[] }) {
  const [kind, setKind] = useState<Target['kind']>(published ? 'percent' : 'none');
  // Once published, the control is for roll-outs: "nobody" is no longer a choice.
  useEffect(() => { if (published) setKind((k) => (k === 'none' ? 'percent' : k)); }, [published]);
  const [percent, setPercent] = useState(30);
  const [list, setList] = useState('');
  const target = (): Target => (kind === 'percent' ? { kind, percent } : kind === 'customers' ? { kind, customers: list.split(',').map((s) => s.trim()).filter(Boolean) } : { kind } as Target);
  const publish = useStaffMutation(() => apiSend<{ rollout: { moved: unknown[] } | null }>('POST', `/api/staff/templates/${templateId}/publish`, { version, rollout: target() }), { invalidate: [TEMPLATES_KEY] });
  const moved = publish.data?.rollout?.moved.length;
  return (
    <div className="toolbar" data-testid={`publish-${version}`}>
      <select className="select" value={kind} onChange={(e) => setKind(e.target.value as Target['kind'])} data-testid={`rollout-kind-${version}`} aria-label="Who gets it">
        {!published && <option value="none">new customers only</option>}
        <option value="all">every customer</option>
        <option value="percent">a canary share</option>
        <option value="customers">these customers</option>
      </select>
      {kind === 'percent' && <input className="input" style={{ width: 70 }} type="number" min={1} max={100} value={percent} onChange={(e) => setPercent(Number(e.target.value))} aria-label="Percent" data-testid={`rollout-percent-${version}`} />}
      {kind === 'percent' && <span className="muted">%</span>}
      {kind === 'customers' && <input className="input mono" style={{ width: 180 }} placeholder={customers.slice(0, 2).join(', ')} value={list} onChange={(e) => setList(e.target.value)} aria-label="Customer ids" data-testid={`rollout-customers-${version}`} />}
      <button type="button" className="btn btn-primary btn-sm" disabled={disabled || publish.isPending} onClick={() => publish.mutate(undefined)} data-testid={`publish-button-${version}`}>
        {published ? 'Roll out' : 'Publish'}
      </button>
      {publish.error && <span className="field-error" role="alert">{publish.error.message}</span>}
      {publish.isSuccess && <span className="muted" role="status" data-testid={`publish-result-${version}`}>{moved === undefined ? 'Published.' : `Published; ${moved} customer(s) moved.`}</span>}
    </div>
  );
}

function describeTarget(t: RolloutTarget): string {
  return t.kind === 'all' ? 'every customer' : t.kind === 'percent' ? `${t.percent} % canary` : `customers ${t.customers.join(', ')}`;
}

function Rollouts({ templateId, detail, canWrite }: { templateId: string; detail: StaffTemplateDetail; canWrite: boolean }) {
  const rollback = useStaffMutation((rolloutId: string) => apiSend<{ restored: unknown[] }>('POST', `/api/staff/templates/${templateId}/rollouts/${rolloutId}/rollback`), { invalidate: [TEMPLATES_KEY] });
  if (!detail.rollouts.length) return null;
  return (
    <>
      <h2 style={{ margin: '20px 0 8px' }}>Roll-outs</h2>
      {rollback.error && <p className="notice notice-err" role="alert">{rollback.error.message}</p>}
      <table className="table card" data-testid="rollouts-table">
        <thead><tr><th>When</th><th>Version</th><th>To</th><th>Moved</th><th>Status</th><th /></tr></thead>
        <tbody>
          {detail.rollouts.map((r) => (
            <tr key={r.id} data-testid={`rollout-${r.id}`}>
              <td><RelativeTime iso={r.createdAt} /></td>
              <td>v{r.toVersion}</td>
              <td>{describeTarget(r.target)}</td>
              <td className="mono">{r.moved.map((m) => `${m.externalId} (from v${m.fromVersion})`).join(', ') || 'nobody'}</td>
              <td>{r.status === 'applied' ? <span className="badge badge-ok">applied</span> : <span className="badge badge-muted">rolled back</span>}</td>
              <td>{r.status === 'applied' && r.moved.length > 0 && (
                <button type="button" className="btn btn-sm" disabled={!canWrite || rollback.isPending} onClick={() => rollback.mutate(r.id)} data-testid="rollback">Roll back</button>
              )}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function ShadowReplay({ templateId, versions }: { templateId: string; versions: number[] }) {
  const [from, setFrom] = useState(versions[1]);
  const [to, setTo] = useState(versions[0]);
  const run = useStaffMutation(() => apiSend<ShadowReport>('POST', `/api/staff/templates/${templateId}/shadow`, { fromVersion: from, toVersion: to, limit: 20 }));
  const r = run.data;
  return (
    <section style={{ marginTop: 20 }} data-testid="shadow-replay">
      <h2 style={{ marginBottom: 4 }}>Shadow replay</h2>
      <p className="muted" style={{ marginTop: 0 }}>Replays the inputs of recent real runs through two versions without side effects: nothing is written to any CRM or phone system; the steps that would write say what they would have done.</p>
      <div className="toolbar" style={{ marginBottom: 8 }}>
        <label className="field"><span>Recorded runs of</span>
          <select className="select" value={from} onChange={(e) => setFrom(Number(e.target.value))} data-testid="shadow-from">{versions.map((v) => <option key={v} value={v}>v{v}</option>)}</select></label>
        <label className="field"><span>replayed through</span>
          <select className="select" value={to} onChange={(e) => setTo(Number(e.target.value))} data-testid="shadow-to">{versions.map((v) => <option key={v} value={v}>v{v}</option>)}</select></label>
        <button type="button" className="btn btn-primary" style={{ alignSelf: 'flex-end' }} disabled={run.isPending} onClick={() => run.mutate(undefined)} data-testid="shadow-run">{run.isPending ? 'Replaying…' : 'Replay'}</button>
      </div>
      {run.error && <p className="notice notice-err" role="alert">{run.error.message}</p>}
      {r && (
        <>
          <p data-testid="shadow-summary">{r.cases.length ? `${r.cases.length} recorded run(s) replayed; ${r.differing} differ.` : 'No recorded runs of that version yet.'}</p>
          {r.cases.map((c) => <ShadowCaseView key={c.runId} c={c} from={r.fromVersion} to={r.toVersion} />)}
        </>
      )}
    </section>
  );
}

/** Where two JSON values differ, as paths ("body.greeting") with both sides (absent: undefined). */
export function differences(a: unknown, b: unknown, path = ''): { path: string; old: unknown; new: unknown }[] {
  if (a === b) return [];
  const obj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object';
  if (obj(a) && obj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differences(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return [{ path: path || '(whole answer)', old: a, new: b }];
}

const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v).slice(0, 120));

function ShadowCaseView({ c, from, to }: { c: ShadowCase; from: number; to: number }) {
  const same = c.sameResponse && c.sameWrites;
  const answerDiffs = c.sameResponse ? [] : differences(c.old.response, c.new.response).slice(0, 20);
  return (
    <div className="card" style={{ padding: 12, marginBottom: 8 }} data-testid="shadow-case" data-same={same}>
      <div className="toolbar" style={{ marginBottom: 8 }}>
        <strong className="mono">{c.automation}</strong><span className="muted">for {c.customer}</span><RelativeTime iso={c.startedAt} />
        <span className={`badge ${same ? 'badge-ok' : 'badge-warn'}`}>{same ? 'same' : [!c.sameResponse && 'answer differs', !c.sameWrites && 'writes differ'].filter(Boolean).join(', ')}</span>
      </div>
      {answerDiffs.length > 0 && (
        <table className="table" style={{ marginBottom: 8 }} data-testid="shadow-differences">
          <thead><tr><th>In the answer</th><th>v{from}</th><th>v{to}</th></tr></thead>
          <tbody>{answerDiffs.map((d) => <tr key={d.path}><td className="mono">{d.path}</td><td className="mono">{show(d.old)}</td><td className="mono">{show(d.new)}</td></tr>)}</tbody>
        </table>
      )}
      <details><summary className="muted">Input</summary><JsonView value={c.trigger} /></details>
      <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 12, marginTop: 8 }}>
        <Side title={`v${from}`} side={c.old} highlight={!c.sameResponse} testId="shadow-old" />
        <Side title={`v${to}`} side={c.new} highlight={!c.sameResponse} testId="shadow-new" />
      </div>
    </div>
  );
}

function Side({ title, side, highlight, testId }: { title: string; side: ShadowSide; highlight: boolean; testId: string }) {
  return (
    <div data-testid={testId}>
      <h3>{title} <span className="muted">({side.status})</span></h3>
      <div className="field-label">Answer</div>
      <div style={highlight ? { outline: '2px solid var(--warn)', borderRadius: 4 } : undefined}><JsonView value={side.response} /></div>
      {side.error && <p className="field-error">{side.error}</p>}
      <div className="field-label" style={{ marginTop: 8 }}>Would write</div>
      {!side.writes.length ? <p className="muted" style={{ margin: 0 }}>nothing</p> : (
        <ul style={{ margin: 0, paddingLeft: 18 }}>
          {side.writes.map((w, i) => <li key={i}><strong>{w.what}</strong> <span className="muted">({w.system ?? '—'}, step {w.nodeId})</span><JsonView value={w.params} /></li>)}
        </ul>
      )}
    </div>
  );
}

function Customers({ templateId, detail, canWrite }: { templateId: string; detail: StaffTemplateDetail; canWrite: boolean }) {
  const pin = useStaffMutation((v: { customer: string; pinned: boolean }) => apiSend('PUT', `/api/staff/templates/${templateId}/customers/${encodeURIComponent(v.customer)}`, { pinned: v.pinned }), { invalidate: [TEMPLATES_KEY] });
  return (
    <>
      <h2 style={{ margin: '20px 0 8px' }}>Customers</h2>
      {pin.error && <p className="notice notice-err" role="alert">{pin.error.message}</p>}
      {!detail.customers.length ? <p className="muted">No customer has enabled it yet.</p> : (
        <table className="table card" data-testid="template-customers">
          <thead><tr><th>Customer</th><th>Version</th><th>Previous</th><th>Status</th><th>Pinned</th><th>Enabled</th></tr></thead>
          <tbody>
            {detail.customers.map((c) => (
              <tr key={c.id} data-testid={`template-customer-${c.id}`}>
                <td><Link href={`/customers/${encodeURIComponent(c.id)}`}>{c.name}</Link> <span className="muted mono">{c.id}</span></td>
                <td>v{c.version}</td>
                <td>{c.previousVersion ? `v${c.previousVersion}` : '—'}</td>
                <td>{c.status === 'active' ? <span className="badge badge-ok">active</span> : <span className="badge badge-warn">paused</span>}</td>
                <td><label style={{ display: 'inline-flex', gap: 6 }}><input type="checkbox" checked={c.pinned} disabled={!canWrite || pin.isPending} onChange={(e) => pin.mutate({ customer: c.id, pinned: e.target.checked })} data-testid={`pin-${c.id}`} /> {c.pinned ? `pinned to v${c.version}` : 'follows roll-outs'}</label></td>
                <td><RelativeTime iso={c.enabledAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
