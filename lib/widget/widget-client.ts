// The agent widget as it runs in the vendor's agent desktop: plain browser JavaScript, no framework, served by
// Patchbay at /api/widget/v1/widget.js (lib/api/widget/widget.ts) as the source of `widgetClient` below. It is
// shipped as source text, so it must not use anything from outside its own body (imports, module constants).
//
//   <script src="https://patchbay.example.com/api/widget/v1/widget.js" data-customer="acme"
//           data-token="pbw_…" data-phone="+14155550123" async></script>
//
// defines <patchbay-widget>, mounts one after the script tag (or in data-target), and exposes
// window.PatchbayWidget.mount(target, { customer, token, getToken, phone, callId }). It renders in a shadow
// root with its own styles (the host page's CSS does not reach in, and its own does not leak out), asks the
// widget API for the caller card of the current call and shows one button per configured action; a click
// runs that automation for the customer and shows what it answered.

export interface WidgetMountOptions {
  customer: string;
  token?: string;
  /** Called for a fresh token when there is none or the current one expired (your backend mints it). */
  getToken?: () => Promise<string> | string;
  phone?: string;
  callId?: string;
}

export function widgetClient(): void {
  const w = window as unknown as Record<string, unknown> & Window;
  const script = document.currentScript as HTMLScriptElement | null;
  const apiBase = script?.src ? new URL(script.src).origin : w.location.origin;

  if (w.PatchbayWidget) return; // loaded twice: the first copy serves
  const CSS = `
:host { all: initial; display: block; contain: content; }
.w { box-sizing: border-box; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1d23;
  background: #fff; border: 1px solid #e2e4ea; border-radius: 10px; box-shadow: 0 1px 3px rgba(16,24,40,.1); overflow: hidden;
  width: 100%; max-width: 360px; text-align: left; }
.w * { box-sizing: border-box; }
.head { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 8px 12px; background: var(--pb-brand, #4f46e5); color: #fff; font-weight: 600; font-size: 12px; letter-spacing: .02em; }
.state { font-weight: 500; opacity: .9; text-transform: capitalize; }
.body { padding: 12px; display: flex; flex-direction: column; gap: 10px; }
.name { font-size: 16px; font-weight: 650; margin: 0; }
.sub { color: #636878; margin: 0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; font-size: 12px; }
.facts dt { color: #636878; } .facts dd { margin: 0; overflow-wrap: anywhere; }
.tags { display: flex; gap: 4px; flex-wrap: wrap; }
.tag { background: #eef0ff; color: #3730a3; border-radius: 999px; padding: 1px 8px; font-size: 11px; }
a { color: var(--pb-brand, #4f46e5); }
.actions { display: flex; gap: 6px; flex-wrap: wrap; }
button { font: inherit; font-weight: 550; height: 30px; padding: 0 10px; border-radius: 6px; border: 1px solid var(--pb-brand, #4f46e5);
  background: var(--pb-brand, #4f46e5); color: #fff; cursor: pointer; }
button:disabled { opacity: .6; cursor: progress; }
.result { border-radius: 6px; padding: 8px 10px; font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
.ok { background: #e7f6ec; color: #14532d; } .fail { background: #fdecec; color: #7f1d1d; }
.muted { color: #636878; } .err { color: #b91c1c; }
`;

  interface Card {
    customer: { id: string; name: string };
    brand: { name: string | null; primaryColor: string | null };
    phone: string | null;
    call: { callId: string; state: string; direction: string | null; from: string | null; to: string | null; agentEmail: string | null } | null;
    contact: { displayName: string; company: string | null; email: string | null; phones: string[]; crmUrl: string | null; source: string; custom: Record<string, unknown> } | null;
    actions: { key: string; label: string }[];
  }

  const h = (tag: string, attrs: Record<string, string> = {}, ...children: (Node | string | null)[]): HTMLElement => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    for (const c of children) if (c !== null) el.append(c);
    return el;
  };

  class PatchbayWidgetElement extends HTMLElement {
    static get observedAttributes() { return ['customer', 'token', 'phone', 'call-id']; }
    getToken: (() => Promise<string> | string) | null = null;
    private root: ShadowRoot;
    private box: HTMLElement;
    private seq = 0;
    private card: Card | null = null;
    private pending = false;

    constructor() {
      super();
      this.root = this.attachShadow({ mode: 'open' });
      try {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        this.root.adoptedStyleSheets = [sheet];
      } catch {
        this.root.append(h('style', {}, CSS));
      }
      this.box = h('div', { class: 'w', part: 'widget', 'data-testid': 'pb-widget' });
      this.root.append(this.box);
    }

    connectedCallback() { this.schedule(); }
    attributeChangedCallback() { if (this.isConnected) this.schedule(); }

    /** The agent desktop tells the widget which call is current. */
    setCall(call: { phone?: string | null; callId?: string | null }) {
      if (call.phone) this.setAttribute('phone', call.phone); else this.removeAttribute('phone');
      if (call.callId) this.setAttribute('call-id', call.callId); else this.removeAttribute('call-id');
    }

    setToken(token: string) { this.setAttribute('token', token); }

    private schedule() {
      if (this.pending) return;
      this.pending = true;
      queueMicrotask(() => { this.pending = false; void this.load(); });
    }

    private async token(refresh: boolean): Promise<string | null> {
      const current = this.getAttribute('token');
      if (current && !refresh) return current;
      if (!this.getToken) return current;
      const t = await this.getToken();
      if (t) this.setAttribute('token', t);
      return t || null;
    }

    private async call(method: string, path: string, body?: unknown): Promise<{ status: number; data: any; runId: string | null }> {
      const customer = this.getAttribute('customer') ?? '';
      const url = `${apiBase}/api/widget/v1/customers/${encodeURIComponent(customer)}${path}`;
      for (let attempt = 0; ; attempt++) {
        const token = await this.token(attempt > 0);
        const res = await fetch(url, {
          method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          credentials: 'omit',
          cache: 'no-store',
        });
        let data: any = null;
        try { data = await res.json(); } catch { /* not JSON */ }
        if (res.status === 401 && attempt === 0 && this.getToken) continue;
        return { status: res.status, data, runId: res.headers.get('x-patchbay-run-id') };
      }
    }

    private message(status: number, data: any): string {
      const e = data?.error;
      if (status === 401) return e?.code === 'token_expired' ? 'The widget’s sign-in has expired. Reload the page.' : 'The widget could not sign in (its token is missing or not valid).';
      if (status === 403) return e?.message ?? 'This page may not use the widget.';
      if (status === 404) return 'Not available for this customer.';
      return e?.message ?? `Patchbay answered ${status}.`;
    }

    private async load() {
      const seq = ++this.seq;
      const customer = this.getAttribute('customer');
      if (!customer) { this.render(null, 'No customer set (data-customer).'); return; }
      this.box.replaceChildren(h('div', { class: 'body muted' }, 'Loading caller…'));
      const q = new URLSearchParams();
      const phone = this.getAttribute('phone');
      const callId = this.getAttribute('call-id');
      if (phone) q.set('phone', phone);
      if (callId) q.set('callId', callId);
      try {
        const qs = q.toString();
        const r = await this.call('GET', `/card${qs ? `?${qs}` : ''}`);
        if (seq !== this.seq) return;
        if (r.status !== 200) { this.render(null, this.message(r.status, r.data)); return; }
        this.card = r.data as Card;
        this.render(this.card, null);
      } catch (err) {
        if (seq === this.seq) this.render(null, `Patchbay could not be reached (${(err as Error).message}).`);
      }
    }

    private render(card: Card | null, error: string | null) {
      const brand = card?.brand.primaryColor;
      if (brand) this.box.style.setProperty('--pb-brand', brand); else this.box.style.removeProperty('--pb-brand');
      const state = card?.call ? h('span', { class: 'state', 'data-testid': 'pb-call-state' }, card.call.state) : null;
      const head = h('div', { class: 'head' }, h('span', {}, card?.brand.name ?? 'Caller'), state);
      if (!card) {
        this.box.replaceChildren(head, h('div', { class: 'body' }, h('p', { class: 'err', 'data-testid': 'pb-error', role: 'alert' }, error ?? 'Nothing to show.')));
        return;
      }
      const body = h('div', { class: 'body' });
      const c = card.contact;
      if (c) {
        body.append(h('p', { class: 'name', 'data-testid': 'pb-caller-name' }, c.displayName || 'Unnamed contact'));
        if (c.company) body.append(h('p', { class: 'sub', 'data-testid': 'pb-caller-company' }, c.company));
        const facts = h('dl', { class: 'facts' });
        const fact = (k: string, v: Node | string | null) => { if (v) facts.append(h('dt', {}, k), h('dd', {}, v)); };
        fact('Phone', card.phone);
        fact('Email', c.email);
        if (card.call?.agentEmail) fact('Agent', card.call.agentEmail);
        if (c.crmUrl && /^https?:\/\//.test(c.crmUrl)) fact('CRM', h('a', { href: c.crmUrl, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'pb-crm-link' }, `Open in ${c.source}`));
        body.append(facts);
        const tags = Object.entries(c.custom ?? {}).filter(([, v]) => v !== null && v !== '' && typeof v !== 'object').slice(0, 6);
        if (tags.length) body.append(h('div', { class: 'tags' }, ...tags.map(([k, v]) => h('span', { class: 'tag' }, `${k}: ${String(v)}`))));
      } else {
        body.append(h('p', { class: 'name', 'data-testid': 'pb-caller-name' }, card.phone ? 'Unknown caller' : 'No current call'));
        if (card.phone) body.append(h('p', { class: 'sub' }, card.phone));
      }
      const result = h('div', { 'aria-live': 'polite' });
      if (card.actions.length) {
        const row = h('div', { class: 'actions' });
        for (const a of card.actions) {
          const b = h('button', { type: 'button', 'data-action': a.key, 'data-testid': `pb-action-${a.key}` }, a.label) as HTMLButtonElement;
          b.addEventListener('click', () => void this.run(a, b, result));
          row.append(b);
        }
        body.append(row);
      }
      body.append(result);
      this.box.replaceChildren(head, body);
    }

    private async run(action: { key: string; label: string }, button: HTMLButtonElement, out: HTMLElement) {
      const buttons = [...this.box.querySelectorAll('button')];
      for (const b of buttons) b.disabled = true;
      button.textContent = `${action.label}…`;
      out.replaceChildren();
      const payload: Record<string, string> = {};
      const phone = this.getAttribute('phone');
      const callId = this.getAttribute('call-id');
      if (phone) payload.phone = phone;
      if (callId) payload.callId = callId;
      try {
        const r = await this.call('POST', `/actions/${encodeURIComponent(action.key)}/run`, payload);
        const ok = r.status === 200 && r.data?.ok === true;
        let text: string;
        if (r.status !== 200) text = this.message(r.status, r.data);
        else {
          const resp = r.data.response;
          const said = resp && typeof resp === 'object' ? (resp.message ?? resp.text ?? resp.result) : resp;
          text = typeof said === 'string' ? said : JSON.stringify(resp, null, 1) ?? (ok ? 'Done.' : 'It did not work.');
          if (!ok && r.data.error?.message) text = r.data.error.message;
        }
        out.replaceChildren(h('p', { class: `result ${ok ? 'ok' : 'fail'}`, 'data-testid': 'pb-result', 'data-ok': String(ok) }, `${ok ? '✓' : '✗'} ${text}`));
      } catch (err) {
        out.replaceChildren(h('p', { class: 'result fail', 'data-testid': 'pb-result', 'data-ok': 'false' }, `✗ Patchbay could not be reached (${(err as Error).message}).`));
      } finally {
        for (const b of buttons) b.disabled = false;
        button.textContent = action.label;
      }
    }
  }

  if (!customElements.get('patchbay-widget')) customElements.define('patchbay-widget', PatchbayWidgetElement);

  function mount(target: Element | string, o: WidgetMountOptions): PatchbayWidgetElement {
    const host = typeof target === 'string' ? document.querySelector(target) : target;
    if (!host) throw new Error(`PatchbayWidget.mount: no element ${String(target)}`);
    const el = document.createElement('patchbay-widget') as PatchbayWidgetElement;
    el.getToken = o.getToken ?? null;
    el.setAttribute('customer', o.customer);
    if (o.token) el.setAttribute('token', o.token);
    if (o.phone) el.setAttribute('phone', o.phone);
    if (o.callId) el.setAttribute('call-id', o.callId);
    host.append(el);
    return el;
  }

  w.PatchbayWidget = { mount, version: 1 };

  // One <script> tag: mount where it stands (or in data-target) when it names a customer.
  const d = script?.dataset;
  if (script && d?.customer) {
    const el = document.createElement('patchbay-widget');
    el.setAttribute('customer', d.customer);
    if (d.token) el.setAttribute('token', d.token);
    if (d.phone) el.setAttribute('phone', d.phone);
    if (d.callId) el.setAttribute('call-id', d.callId);
    const target = d.target ? document.querySelector(d.target) : null;
    if (target) target.append(el);
    else script.after(el);
  }
}

/** The script served at /api/widget/v1/widget.js. (`__name` covers transpilers that wrap functions to keep their names.) */
export const WIDGET_SCRIPT = `/* Patchbay agent widget (served by your Patchbay installation) */\n(function(){var __name=function(f){return f};(${widgetClient.toString()})();})();\n`;
