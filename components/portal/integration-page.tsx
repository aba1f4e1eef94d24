'use client';
// One enabled integration in the portal: its health in plain words (each automation's last run, the connections
// it uses, the last contact sync and its counts), its recent runs, its settings, pause / resume / remove.
import Link from 'next/link';
import { Fragment, useEffect, useState } from 'react';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { RelativeTime } from '../ui/relative-time';
import { StatusBadge } from '../ui/status-badge';
import { OptionsForm } from './options-form';
import { portalApi, PortalRequestError, useCatalogue, usePortalMutation, useTemplateDetail } from './portal-api';
import styles from './portal.module.css';

export function IntegrationPage({ customerId, templateId }: { customerId: string; templateId: string }) {
  const q = useTemplateDetail(customerId, templateId);
  const cat = useCatalogue(customerId);
  const [options, setOptions] = useState<Record<string, unknown> | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [removed, setRemoved] = useState<string | null>(null);
  const save = usePortalMutation(customerId, () => portalApi.updateOptions(customerId, templateId, options ?? {}));
  const pause = usePortalMutation(customerId, () => portalApi.pause(customerId, templateId));
  const resume = usePortalMutation(customerId, () => portalApi.resume(customerId, templateId));
  const remove = usePortalMutation(customerId, () => portalApi.remove(customerId, templateId));
  const d = q.data;
  useEffect(() => { if (d?.enabled && options === null) setOptions({ ...d.enabled.options }); }, [d, options]);
  const back = `/portal/${encodeURIComponent(customerId)}/integrations`;

  if (removed) return <main className={styles.page}><p className="notice notice-info" role="status" data-testid="removed-notice">{removed}</p><Link href={back}>← Integrations</Link></main>;
  if (q.error) return <main className={styles.page}><p className="notice notice-err" role="alert">{q.error.message}</p><Link href={back}>← Integrations</Link></main>;
  if (!d) return <main className={styles.page}><p className="muted">Loading…</p></main>;
  const h = d.health;
  const err = save.error ?? pause.error ?? resume.error ?? remove.error;
  const fieldError = save.error instanceof PortalRequestError && save.error.path?.[0] === 'options' && save.error.path[1] !== undefined ? { key: String(save.error.path[1]), message: save.error.message } : null;

  return (
    <main className={styles.page} data-testid="integration-page">
      <p style={{ margin: '0 0 8px' }}><Link href={back}>← Integrations</Link></p>
      <div className="page-head">
        <div>
          <h1>{d.name}</h1>
          <p>{d.description}</p>
        </div>
        {d.enabled && (
          <div className={styles.actions}>
            {d.enabled.status === 'active'
              ? <button type="button" className="btn" onClick={() => pause.mutate(undefined)} disabled={pause.isPending} data-testid="pause">Pause</button>
              : <button type="button" className="btn btn-primary" onClick={() => resume.mutate(undefined)} disabled={resume.isPending} data-testid="resume">Resume</button>}
            <button type="button" className="btn btn-ghost" onClick={() => setConfirmRemove(true)} data-testid="remove">Remove</button>
          </div>
        )}
      </div>
      {err && !fieldError && <p className="notice notice-err" role="alert">{err.message}</p>}
      {!d.enabled && <p className="notice notice-info">Not enabled. <Link href={back}>Enable it from Integrations.</Link></p>}
      {h && (
        <>
          <p className={`notice ${h.state === 'failing' ? 'notice-err' : h.state === 'paused' ? 'notice-warn' : 'notice-info'}`} data-testid="health-summary" data-state={h.state}>{h.summary}</p>
          <div className={styles.grid} style={{ marginTop: 16 }}>
            <section className={`card ${styles.card}`} data-testid="health-automations">
              <h2>Automations</h2>
              <dl className={styles.facts}>
                {h.automations.map((a) => (
                  <Fragment key={a.automation}><dt className="mono">{a.automation}</dt>
                    <dd data-testid={`last-run-${a.automation}`}>
                      {a.lastRun ? <><StatusBadge status={a.lastRun.status} /> <RelativeTime iso={a.lastRun.startedAt} />{a.lastRun.error && <span className={styles.error}> — {a.lastRun.error}</span>}</>
                        : a.lastActivity ? <>{a.lastActivity.runs} run{a.lastActivity.runs === 1 ? '' : 's'}{a.lastActivity.failures ? `, ${a.lastActivity.failures} failed` : ''} <RelativeTime iso={a.lastActivity.minute} /></>
                        : 'has not run yet'}
                    </dd></Fragment>
                ))}
              </dl>
            </section>
            <section className={`card ${styles.card}`} data-testid="health-connections">
              <h2>Connections</h2>
              {!h.connections.length && <p className="muted" style={{ margin: 0 }}>None needed.</p>}
              <dl className={styles.facts}>
                {h.connections.map((c) => (
                  <Fragment key={c.system}><dt>{c.name}</dt>
                    <dd className={c.status === 'error' || c.status === 'missing' ? styles.error : undefined} data-testid={`connection-${c.system}`}>
                      {c.status === 'missing' ? 'not connected' : c.status === 'error' ? `failing: ${c.lastError ?? 'the last call failed'}` : c.lastSuccessAt ? <>working (last call <RelativeTime iso={c.lastSuccessAt} />)</> : 'connected'}
                    </dd></Fragment>
                ))}
              </dl>
            </section>
            <section className={`card ${styles.card}`} data-testid="health-sync">
              <h2>Contact sync</h2>
              {h.lastSync ? (
                <dl className={styles.facts}>
                  <dt>Last sync</dt><dd><StatusBadge status={h.lastSync.status} /> <RelativeTime iso={h.lastSync.startedAt} /></dd>
                  <dt>Contacts</dt><dd data-testid="sync-counts">{h.lastSync.read} read, {h.lastSync.written} copied, {h.lastSync.deleted} deleted{h.lastSync.failed ? `, ${h.lastSync.failed} failed` : ''}</dd>
                  {h.lastSync.error && <><dt>Error</dt><dd className={styles.error}>{h.lastSync.error}</dd></>}
                </dl>
              ) : <p className="muted" style={{ margin: 0 }}>{d.automations.includes('contact_sync') ? 'No sync yet.' : 'This integration does not sync contacts.'}</p>}
            </section>
          </div>
          <section style={{ marginTop: 16 }}>
            <h2 style={{ marginBottom: 8 }}>Recent runs</h2>
            {!h.recentRuns.length ? <p className="muted">Nothing has run yet.</p> : (
              <table className="table card" data-testid="recent-runs">
                <thead><tr><th>Automation</th><th>Status</th><th>When</th><th>Took</th><th>Error</th></tr></thead>
                <tbody>{h.recentRuns.map((r) => (
                  <tr key={r.id}><td className="mono">{r.automation}</td><td><StatusBadge status={r.status} /></td><td><RelativeTime iso={r.startedAt} /></td>
                    <td>{r.durationMs == null ? '—' : `${Math.round(r.durationMs)} ms`}</td><td className={styles.error}>{r.error ?? ''}</td></tr>
                ))}</tbody>
              </table>
            )}
          </section>
          {d.options.length > 0 && options && (
            <section className={`card ${styles.card}`} style={{ marginTop: 16 }}>
              <h2>Settings</h2>
              <OptionsForm fields={d.options} values={options} onChange={setOptions} crms={cat.data?.crms ?? []} error={fieldError} />
              <div className={styles.actions}>
                <button type="button" className="btn btn-primary" disabled={save.isPending} onClick={() => save.mutate(undefined)} data-testid="save-options">{save.isPending ? 'Saving…' : 'Save settings'}</button>
                {save.isSuccess && <span className="muted" role="status">Saved.</span>}
              </div>
            </section>
          )}
        </>
      )}
      <ConfirmDialog open={confirmRemove} title={`Remove ${d.name}?`} confirmLabel="Remove" danger onCancel={() => setConfirmRemove(false)}
        onConfirm={() => { setConfirmRemove(false); remove.mutate(undefined, { onSuccess: (r) => setRemoved(`${d.name} was removed. ${r.whatHappened}`) }); }}>
        <p data-testid="removal-words">{d.removal}</p>
      </ConfirmDialog>
    </main>
  );
}
