'use client';
// The staff Embed page (issue 16 item 6, issue 12 item 3): how the vendor's customer portal and agent widget
// look (name, logo, colours), which origins of the vendor's product may frame the portal and call the widget,
// which automations the widget offers as buttons (with their labels), and the snippets to paste.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { CustomerListItem } from '@/lib/staff-api/contract';
import type { EmbeddingView, WidgetAction } from '@/lib/embed/embed-settings';
import { apiGet, apiSend, useStaffMutation } from '../api-client';
import { useStaff } from '../staff/staff-context';
import styles from './embed.module.css';

const KEY = ['embedding'];

interface Form {
  brandName: string;
  logo: string | null;
  primaryColor: string;
  accentColor: string;
  origins: string;
  actions: WidgetAction[];
}

const toForm = (v: EmbeddingView): Form => ({
  brandName: v.settings.brandName ?? '',
  logo: v.settings.logo,
  primaryColor: v.settings.primaryColor ?? '',
  accentColor: v.settings.accentColor ?? '',
  origins: v.settings.allowedOrigins.join('\n'),
  actions: v.actions,
});

const keyFrom = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(\d)/, 'a_$1').slice(0, 50) || 'action';

export function EmbedView() {
  const staff = useStaff();
  const q = useQuery({ queryKey: KEY, queryFn: () => apiGet<EmbeddingView>('/api/staff/embedding') });
  const [form, setForm] = useState<Form | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => { if (q.data && !form) setForm(toForm(q.data)); }, [q.data, form]);
  const save = useStaffMutation(
    (f: Form) => apiSend<EmbeddingView>('PUT', '/api/staff/embedding', {
      brandName: f.brandName || null, logo: f.logo, primaryColor: f.primaryColor || null, accentColor: f.accentColor || null,
      allowedOrigins: f.origins.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean), actions: f.actions,
    }),
    {
      invalidate: [KEY],
      onSuccess: (v) => { setForm(toForm(v)); setNotice({ ok: true, text: 'Saved.' }); },
      onError: (e) => setNotice({ ok: false, text: `${e.path?.length ? `${e.path.join('.')}: ` : ''}${e.message}` }),
    },
  );
  if (q.isError) return <p className="field-error">Could not load the settings: {(q.error as Error).message}</p>;
  if (!q.data || !form) return <p className="muted">Loading…</p>;
  const set = (patch: Partial<Form>) => { setForm({ ...form, ...patch }); setNotice(null); };
  const setAction = (i: number, patch: Partial<WidgetAction>) => set({ actions: form.actions.map((a, j) => (j === i ? { ...a, ...patch } : a)) });
  const move = (i: number, d: -1 | 1) => {
    const list = [...form.actions];
    const j = i + d;
    if (j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j], list[i]];
    set({ actions: list });
  };
  const automations = q.data.automations;
  const base = q.data.patchbayUrl;
  const origins = q.data.settings.allowedOrigins;
  const readOnly = !staff.canWrite;

  const onLogo = (file: File | undefined) => {
    if (!file) return;
    if (file.size > 100_000) { setNotice({ ok: false, text: 'The logo must be at most 100 kB.' }); return; }
    const r = new FileReader();
    r.onload = () => set({ logo: String(r.result) });
    r.readAsDataURL(file);
  };

  return (
    <div className={`page ${styles.page}`} data-testid="embed-page">
      <div className="page-head">
        <div>
          <h1>Embed</h1>
          <p>Your customer portal inside your product, and the agent widget on your agent desktop.</p>
        </div>
      </div>

      <form onSubmit={(e) => { e.preventDefault(); save.mutate(form); }} data-testid="embed-form">
        <div className={styles.stack}>
          <section className={`card ${styles.section}`}>
            <h2>Branding</h2>
            <p className="muted">Shown in the customer portal (top bar, buttons) and in the widget’s header.</p>
            <div className={styles.row}>
              <label className="field">
                <span>Name</span>
                <input className="input" value={form.brandName} maxLength={80} placeholder="Your product’s name" onChange={(e) => set({ brandName: e.target.value })} data-testid="embed-brand-name" />
              </label>
              <label className="field">
                <span>Button colour</span>
                <span className={styles.color}>
                  <input type="color" value={form.primaryColor || '#4f46e5'} onChange={(e) => set({ primaryColor: e.target.value })} aria-label="Button colour picker" />
                  <input className="input" value={form.primaryColor} placeholder="#4f46e5" size={9} onChange={(e) => set({ primaryColor: e.target.value })} data-testid="embed-primary-color" />
                </span>
              </label>
              <label className="field">
                <span>Top bar colour</span>
                <span className={styles.color}>
                  <input type="color" value={form.accentColor || '#ffffff'} onChange={(e) => set({ accentColor: e.target.value })} aria-label="Top bar colour picker" />
                  <input className="input" value={form.accentColor} placeholder="none" size={9} onChange={(e) => set({ accentColor: e.target.value })} data-testid="embed-accent-color" />
                </span>
              </label>
              <label className="field">
                <span>Logo (PNG, JPEG, SVG, WebP or GIF, ≤ 100 kB)</span>
                <input type="file" accept="image/png,image/jpeg,image/svg+xml,image/webp,image/gif" onChange={(e) => onLogo(e.target.files?.[0])} data-testid="embed-logo" />
              </label>
              {form.logo && (
                <span className={styles.color}>
                  <img src={form.logo} alt="Logo preview" className={styles.logo} style={/^#[0-9a-f]{6}$/i.test(form.accentColor) ? { background: form.accentColor } : undefined} data-testid="embed-logo-preview" />
                  <button type="button" className="btn btn-ghost btn-sm" onClick={() => set({ logo: null })}>Remove</button>
                </span>
              )}
            </div>
          </section>

          <section className={`card ${styles.section}`}>
            <h2>Allowed origins</h2>
            <p className="muted">
              The addresses of your product that may show the portal in an iframe and use the agent widget, one per line
              (<code>https://app.example.com</code>; <code>http://</code> only for localhost). Every other site is refused.
            </p>
            <textarea className={`textarea ${styles.origins}`} value={form.origins} onChange={(e) => set({ origins: e.target.value })} placeholder="https://app.example.com" data-testid="embed-origins" />
          </section>

          <section className={`card ${styles.section}`}>
            <h2>Widget actions</h2>
            <p className="muted">
              One button each in the agent widget; a click runs the automation for the customer whose widget it is, with the current call’s
              <code> phone</code> and <code>callId</code> as its input, and shows what it answered (its <code>message</code>). A customer sees only
              the actions whose automation it has enabled.
            </p>
            <table className={`table ${styles.actionsTable}`} data-testid="widget-actions">
              <thead><tr><th>Label</th><th>Automation</th><th>Key</th><th /></tr></thead>
              <tbody>
                {form.actions.map((a, i) => (
                  <tr key={i} data-testid={`widget-action-row-${i}`}>
                    <td><input className="input" value={a.label} maxLength={60} onChange={(e) => setAction(i, { label: e.target.value })} data-testid={`widget-action-label-${i}`} /></td>
                    <td>
                      <select className="select" value={a.automation} onChange={(e) => setAction(i, { automation: e.target.value })} data-testid={`widget-action-automation-${i}`}>
                        {!automations.some((f) => f.automation === a.automation) && <option value={a.automation}>{a.automation} (no flow)</option>}
                        {automations.map((f) => <option key={f.automation} value={f.automation}>{f.automation}{f.published ? '' : ' (draft)'}</option>)}
                      </select>
                    </td>
                    <td><input className="input mono" value={a.key} maxLength={50} onChange={(e) => setAction(i, { key: e.target.value })} data-testid={`widget-action-key-${i}`} /></td>
                    <td style={{ whiteSpace: 'nowrap' }}>
                      <button type="button" className="btn btn-ghost btn-sm" aria-label="Move up" onClick={() => move(i, -1)} disabled={i === 0}>↑</button>
                      <button type="button" className="btn btn-ghost btn-sm" aria-label="Move down" onClick={() => move(i, 1)} disabled={i === form.actions.length - 1}>↓</button>
                      <button type="button" className="btn btn-ghost btn-sm" aria-label="Remove" onClick={() => set({ actions: form.actions.filter((_, j) => j !== i) })} data-testid={`widget-action-remove-${i}`}>✕</button>
                    </td>
                  </tr>
                ))}
                {!form.actions.length && <tr><td colSpan={4} className="muted">No actions yet: the widget shows the caller card only.</td></tr>}
              </tbody>
            </table>
            <div>
              <button
                type="button"
                className="btn btn-sm"
                disabled={form.actions.length >= 12 || !automations.length}
                onClick={() => {
                  const first = automations.find((f) => !form.actions.some((a) => a.automation === f.automation)) ?? automations[0];
                  let key = keyFrom(first.automation);
                  while (form.actions.some((a) => a.key === key)) key = `${key}_2`.slice(0, 50);
                  set({ actions: [...form.actions, { key, label: first.name, automation: first.automation }] });
                }}
                data-testid="widget-action-add"
              >
                Add action
              </button>
            </div>
          </section>

          <div className={styles.bar}>
            <button type="submit" className="btn btn-primary" disabled={save.isPending || readOnly} title={staff.writeDeniedReason ?? undefined} data-testid="embed-save">
              {save.isPending ? 'Saving…' : 'Save'}
            </button>
            {notice && <span className={notice.ok ? 'muted' : 'field-error'} role="status" data-testid="embed-notice">{notice.text}</span>}
          </div>
        </div>
      </form>

      <WidgetPreview canWrite={staff.canWrite} />

      <section className={`card ${styles.section}`} data-testid="widget-snippet">
        <h2>Agent widget: the snippet</h2>
        {!origins.length && <p className={styles.warn}>No allowed origins yet: browsers on your agent desktop will be refused until you add its address above.</p>}
        <p>1. Your backend mints a short-lived token for the customer whose call the agent has (your API key never leaves your server):</p>
        <pre className={styles.snippet}>{`curl -s -X POST ${base}/api/v1/customers/{customerId}/widget-tokens \\
  -H "Authorization: Bearer $PATCHBAY_API_KEY" -H 'Content-Type: application/json' -d '{"expiresInSeconds":900}'
# → {"token":"pbw_…","customerId":"…","expiresAt":"…"}`}</pre>
        <p>2. Your agent desktop page adds one script tag where the widget goes (no framework needed; its styles are its own):</p>
        <pre className={styles.snippet} data-testid="widget-script-tag">{`<script src="${base}/api/widget/v1/widget.js" async
        data-customer="{customerId}" data-token="{token from your backend}"
        data-phone="{caller's number}" data-call-id="{call id}"></script>`}</pre>
        <p>3. When the call changes, or to refresh the token before it expires:</p>
        <pre className={styles.snippet}>{`const el = document.querySelector('patchbay-widget');
el.setCall({ phone: '+14155550123', callId: 'c-123' });
// or mount it yourself, with a token provider your backend answers:
PatchbayWidget.mount('#crm-panel', { customer: 'acme', getToken: () => fetch('/my/widget-token').then((r) => r.text()) });`}</pre>
      </section>

      <section className={`card ${styles.section}`} data-testid="portal-snippet">
        <h2>Customer portal in your product</h2>
        {/^http:\/\/(?!localhost[:/]|127\.)/.test(base + '/') && (
          <p className={styles.warn} data-testid="embed-needs-https">Patchbay is served over plain http at {base}: browsers keep an embedded portal’s cookie only on https (or localhost). Set NEXTAUTH_URL to its https address.</p>
        )}
        <p>Your backend mints an embed link when the user opens “Integrations” and puts it in an iframe (each link opens once):</p>
        <pre className={styles.snippet}>{`curl -s -X POST ${base}/api/v1/customers/{customerId}/portal-links \\
  -H "Authorization: Bearer $PATCHBAY_API_KEY" -H 'Content-Type: application/json' -d '{"embed":true}'
# → {"url":"/portal/{customerId}?token=…","expiresAt":"…"}

<iframe src="${base}{url}" style="width:100%;height:720px;border:0" title="Integrations"></iframe>`}</pre>
        <p className="muted">Without <code>embed</code> the link is for a plain tab or redirect. An embedded portal needs Patchbay on https (or localhost): its cookie is <code>SameSite=None; Secure; Partitioned</code>.</p>
      </section>
    </div>
  );
}

/** Mounts the real widget (the same script your agent desktop loads) for one customer and number, with a 10-minute token. */
function WidgetPreview({ canWrite }: { canWrite: boolean }) {
  const customers = useQuery({ queryKey: ['customers'], queryFn: () => apiGet<CustomerListItem[]>('/api/staff/customers') });
  const [customer, setCustomer] = useState('');
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const selected = customer || customers.data?.[0]?.externalId || '';

  const show = async () => {
    setError(null);
    try {
      const { token } = await apiSend<{ token: string }>('POST', '/api/staff/embedding/widget-token', { customer: selected });
      const w = window as unknown as { PatchbayWidget?: { mount(t: Element, o: Record<string, string>): Element } };
      if (!w.PatchbayWidget) {
        await new Promise<void>((resolve, reject) => {
          const s = document.createElement('script');
          s.src = '/api/widget/v1/widget.js';
          s.onload = () => resolve();
          s.onerror = () => reject(new Error('the widget script did not load'));
          document.head.append(s);
        });
      }
      if (!box.current || !w.PatchbayWidget) return;
      box.current.replaceChildren();
      w.PatchbayWidget.mount(box.current, { customer: selected, token, ...(phone ? { phone } : {}) });
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <section className={`card ${styles.section}`} data-testid="widget-preview">
      <h2>Try the widget</h2>
      <p className="muted">The widget as an agent sees it, for one of your customers and a caller’s number (saved settings only).</p>
      <div className={styles.row}>
        <label className="field">
          <span>Customer</span>
          <select className="select" value={selected} onChange={(e) => setCustomer(e.target.value)} data-testid="widget-preview-customer">
            {(customers.data ?? []).map((c) => <option key={c.id} value={c.externalId}>{c.name} ({c.externalId})</option>)}
          </select>
        </label>
        <label className="field">
          <span>Caller’s number</span>
          <input className="input" value={phone} placeholder="+1 415 704 0007" onChange={(e) => setPhone(e.target.value)} data-testid="widget-preview-phone" />
        </label>
        <button type="button" className="btn" disabled={!selected || !canWrite} onClick={() => void show()} data-testid="widget-preview-show">Show widget</button>
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
      <div className={styles.preview} ref={box} data-testid="widget-preview-box" />
    </section>
  );
}
