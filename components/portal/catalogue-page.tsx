'use client';
// The portal's Integrations page: the vendor's templates. Enabling one is one flow on the page: connect the CRM it
// needs (the same connector card as on Connections), set its options (a form from its options schema), read what
// will happen, enable. Enabled ones show their health in plain words, with pause, resume and remove.
import Link from 'next/link';
import { useState } from 'react';
import type { CatalogueItem, CatalogueView } from '@/lib/templates/catalogue';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { ConnectorCard } from './connector-card';
import { initialOptions, neededFor, OptionsForm } from './options-form';
import { portalApi, PortalRequestError, useCatalogue, useConnections, usePortalMutation } from './portal-api';
import styles from './portal.module.css';
import { systemOptionKeys } from '@/lib/templates/needed-systems';
import { describeAutomations } from '@/lib/templates/what-happens';

const STATE_TONE: Record<string, string> = { ok: 'badge-ok', failing: 'badge-err', paused: 'badge-warn', idle: 'badge-muted' };
const STATE_WORD: Record<string, string> = { ok: 'Working', failing: 'Needs attention', paused: 'Paused', idle: 'Enabled' };

export function CataloguePage({ customerId }: { customerId: string }) {
  const q = useCatalogue(customerId);
  const [enabling, setEnabling] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const item = q.data?.templates.find((t) => t.id === enabling);

  return (
    <main className={styles.page} data-testid="catalogue-page">
      <div className="page-head">
        <div>
          <h1>Integrations</h1>
          <p>What your provider offers: enable an integration, choose its settings, and see how it is doing.</p>
        </div>
      </div>
      {notice && <p className="notice notice-info" role="status" data-testid="catalogue-notice">{notice} <button type="button" className="btn btn-ghost btn-sm" onClick={() => setNotice(null)}>Dismiss</button></p>}
      {q.isPending && <p className="muted">Loading integrations…</p>}
      {q.error && <p className="notice notice-err" role="alert">{q.error.status === 401 ? 'Your portal session has expired: open the integrations page from your provider again.' : q.error.message}</p>}
      {q.data && !q.data.templates.length && <p className="muted" data-testid="catalogue-empty">Your provider offers no integrations yet.</p>}
      {item && q.data && (
        <EnablePanel customerId={customerId} item={item} catalogue={q.data} onClose={() => setEnabling(null)}
          onEnabled={(msg) => { setEnabling(null); setNotice(msg); }} />
      )}
      {q.data && (
        <div className={styles.grid}>
          {q.data.templates.map((t) => <TemplateCard key={t.id} customerId={customerId} item={t} onEnable={() => setEnabling(t.id)} onNotice={setNotice} />)}
        </div>
      )}
    </main>
  );
}

function TemplateCard({ customerId, item, onEnable, onNotice }: { customerId: string; item: CatalogueItem; onEnable: () => void; onNotice: (m: string) => void }) {
  const [confirmRemove, setConfirmRemove] = useState(false);
  const pause = usePortalMutation(customerId, () => portalApi.pause(customerId, item.id));
  const resume = usePortalMutation(customerId, () => portalApi.resume(customerId, item.id));
  const remove = usePortalMutation(customerId, () => portalApi.remove(customerId, item.id));
  const e = item.enabled;
  const err = pause.error ?? resume.error ?? remove.error;
  return (
    <section className={`card ${styles.card}`} data-testid={`template-${item.slug}`} aria-labelledby={`${item.slug}-title`}>
      <header className={styles.cardHead}>
        <h2 id={`${item.slug}-title`}>{item.name}</h2>
        {e ? <span className={`badge ${STATE_TONE[e.health.state]}`} data-testid="template-state" data-state={e.health.state}>{STATE_WORD[e.health.state]}</span>
          : <span className="badge badge-muted">Available</span>}
      </header>
      <p style={{ margin: 0 }}>{item.description}</p>
      {e && <p className={e.health.state === 'failing' ? styles.error : 'muted'} style={{ margin: 0 }} data-testid="health-summary">{e.health.summary}</p>}
      {err && <p className="notice notice-err" role="alert">{err.message}</p>}
      <div className={styles.actions}>
        {!e && <button type="button" className="btn btn-primary" onClick={onEnable} data-testid="enable">Enable</button>}
        {e && <Link className="btn" href={`/portal/${encodeURIComponent(customerId)}/integrations/${item.id}`} data-testid="details">Details and runs</Link>}
        {e?.status === 'active' && <button type="button" className="btn" disabled={pause.isPending} onClick={() => pause.mutate(undefined)} data-testid="pause">Pause</button>}
        {e?.status === 'paused' && <button type="button" className="btn btn-primary" disabled={resume.isPending} onClick={() => resume.mutate(undefined)} data-testid="resume">Resume</button>}
        {e && <button type="button" className="btn btn-ghost" onClick={() => setConfirmRemove(true)} data-testid="remove">Remove</button>}
      </div>
      <ConfirmDialog open={confirmRemove} title={`Remove ${item.name}?`} confirmLabel="Remove" danger
        onCancel={() => setConfirmRemove(false)}
        onConfirm={() => { setConfirmRemove(false); remove.mutate(undefined, { onSuccess: (r) => onNotice(`${item.name} was removed. ${r.whatHappened}`) }); }}>
        <p data-testid="removal-words">{item.removal}</p>
      </ConfirmDialog>
    </section>
  );
}

function EnablePanel({ customerId, item, catalogue, onClose, onEnabled }: { customerId: string; item: CatalogueItem; catalogue: CatalogueView; onClose: () => void; onEnabled: (m: string) => void }) {
  const [options, setOptions] = useState<Record<string, unknown>>(() => initialOptions(item.options));
  const connections = useConnections(customerId);
  const enable = usePortalMutation(customerId, () => portalApi.enable(customerId, item.id, options));
  const needed = neededFor(item.connections, item.options, options);
  const connectors = connections.data?.connectors ?? [];
  const missing = needed.filter((s) => !connectors.find((c) => c.system === s)?.connection);
  const fieldError = enable.error instanceof PortalRequestError && enable.error.path?.[0] === 'options' && enable.error.path[1] !== undefined
    ? { key: String(enable.error.path[1]), message: enable.error.message } : null;
  const crmName = (s: string) => catalogue.crms.find((c) => c.system === s)?.name ?? connectors.find((c) => c.system === s)?.name ?? s;

  return (
    <section className={`card ${styles.card}`} style={{ marginBottom: 16 }} data-testid="enable-panel" aria-labelledby="enable-title">
      <header className={styles.cardHead}>
        <h2 id="enable-title">Enable {item.name}</h2>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClose} data-testid="enable-cancel">Cancel</button>
      </header>

      <h3>1. Settings</h3>
      <OptionsForm fields={item.options} values={options} onChange={setOptions} crms={catalogue.crms} error={fieldError} />

      <h3>2. Connections</h3>
      {!needed.length && <p className="muted">It needs no connection.</p>}
      {needed.map((s) => {
        const c = connectors.find((x) => x.system === s);
        if (!c) return <p key={s} className="muted">Loading {crmName(s)}…</p>;
        return c.connection
          ? <p key={s} data-testid={`needed-${s}`} data-connected="true">✓ {c.name} is connected.</p>
          : <div key={s} data-testid={`needed-${s}`} data-connected="false"><p style={{ marginTop: 0 }}>Connect {c.name} (it stays connected for your other integrations):</p><ConnectorCard customerId={customerId} connector={c} /></div>;
      })}

      <h3>3. What will happen</h3>
      <WhatWillHappen item={item} options={options} crmName={crmName} />

      {enable.error && !fieldError && <p className="notice notice-err" role="alert" data-testid="enable-error">{enable.error.message}</p>}
      <div className={styles.actions}>
        <button type="button" className="btn btn-primary" disabled={enable.isPending || missing.length > 0} data-testid="enable-submit"
          onClick={() => enable.mutate(undefined, { onSuccess: (r) => onEnabled(`${item.name} is enabled.${r.firstSync ? ' The first contact sync has started.' : ''}`) })}>
          {enable.isPending ? 'Enabling…' : missing.length ? `Connect ${missing.map(crmName).join(' and ')} first` : `Enable ${item.name}`}
        </button>
      </div>
    </section>
  );
}

/** The same sentences the server answers after enabling (lib/templates/what-happens.ts), filled in live. */
function WhatWillHappen({ item, options, crmName }: { item: CatalogueItem; options: Record<string, unknown>; crmName: (s: string) => string }) {
  const lines = describeAutomations(item.automations.map((automation) => ({ automation })), options, crmName, systemOptionKeys(item.connections, item.options));
  return (
    <ul data-testid="what-happens" style={{ margin: 0, paddingLeft: 18 }}>
      {lines.map((line, i) => <li key={item.automations[i]}>{line}</li>)}
      <li className="muted">You can pause or remove it at any time. {item.removal}</li>
    </ul>
  );
}
