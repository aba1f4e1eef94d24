'use client';
// A template version's content, as staff edit it: name, description, icon, the flows (each brings its automation
// name; at its published version), the connections it needs, and its options schema (JSON, checked by the server).
import { useState } from 'react';
import type { FlowListItem } from '@/lib/staff-api/contract';
import type { OptionField, TemplateDefinition } from '@/lib/templates/template-definition';

export interface TemplateFormValue {
  name: string; description: string; icon: string;
  flows: { flowId: string; version?: number | null }[];
  options: OptionField[];
  connections: string[];
  message?: string;
}

const EXAMPLE_OPTIONS: OptionField[] = [
  { key: 'crm', label: 'Your CRM', type: 'crm', default: 'hubspot', required: true },
];

export function TemplateForm(p: {
  flows: FlowListItem[];
  initial?: { name: string; description: string; icon: string; definition: TemplateDefinition };
  busy: boolean;
  error: string | null;
  submitLabel: string;
  onCancel: () => void;
  onSubmit: (v: TemplateFormValue) => void;
}) {
  const [name, setName] = useState(p.initial?.name ?? '');
  const [description, setDescription] = useState(p.initial?.description ?? '');
  const [icon, setIcon] = useState(p.initial?.icon ?? 'plug');
  const [chosen, setChosen] = useState<string[]>(p.initial?.definition.flows.map((f) => f.flowId) ?? []);
  const [needsCrm, setNeedsCrm] = useState(p.initial ? p.initial.definition.connections.includes('crm') : true);
  const [otherConnections, setOtherConnections] = useState((p.initial?.definition.connections ?? []).filter((c) => c !== 'crm').join(', '));
  const [optionsText, setOptionsText] = useState(JSON.stringify(p.initial?.definition.options ?? EXAMPLE_OPTIONS, null, 2));
  const [message, setMessage] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const published = p.flows.filter((f) => f.publishedVersion != null);

  const submit = () => {
    let options: OptionField[];
    try { options = JSON.parse(optionsText); } catch (e) { setLocalError(`Options are not JSON: ${(e as Error).message}`); return; }
    setLocalError(null);
    const connections = [...(needsCrm ? ['crm'] : []), ...otherConnections.split(',').map((s) => s.trim()).filter(Boolean)];
    p.onSubmit({ name, description, icon, flows: chosen.map((flowId) => ({ flowId })), options, connections, ...(message ? { message } : {}) });
  };

  return (
    <div style={{ display: 'grid', gap: 12 }}>
      <div style={{ display: 'grid', gridTemplateColumns: '2fr 1fr', gap: 12 }}>
        <label className="field"><span>Name</span><input className="input" value={name} onChange={(e) => setName(e.target.value)} data-testid="template-name" /></label>
        <label className="field"><span>Icon</span><input className="input" value={icon} onChange={(e) => setIcon(e.target.value)} data-testid="template-icon" /></label>
      </div>
      <label className="field"><span>Description (customers read it)</span><input className="input" value={description} onChange={(e) => setDescription(e.target.value)} data-testid="template-description" /></label>
      <fieldset className="field" style={{ border: 0, padding: 0, margin: 0 }}>
        <span className="field-label">Flows (each at its published version; its automation name is the one customers get)</span>
        {!published.length && <p className="muted">Publish a flow first.</p>}
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: '6px 18px' }}>
          {published.map((f) => (
            <label key={f.id} style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
              <input type="checkbox" checked={chosen.includes(f.id)} onChange={(e) => setChosen(e.target.checked ? [...chosen, f.id] : chosen.filter((x) => x !== f.id))} data-testid={`template-flow-${f.automation}`} />
              {f.name} <span className="muted mono">{f.automation} v{f.publishedVersion}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div style={{ display: 'flex', gap: 18, alignItems: 'center', flexWrap: 'wrap' }}>
        <label style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
          <input type="checkbox" checked={needsCrm} onChange={(e) => setNeedsCrm(e.target.checked)} data-testid="template-needs-crm" /> Needs the customer&apos;s CRM (the option of type <code>crm</code> names it)
        </label>
        <label className="field" style={{ flex: 1 }}><span>Other connections it needs (system ids, or options.&lt;key&gt; for the system an option names, optionally followed by if options.&lt;yes/no option&gt;; comma-separated)</span><input className="input mono" value={otherConnections} onChange={(e) => setOtherConnections(e.target.value)} placeholder="s3, slack" data-testid="template-connections" /></label>
      </div>
      <label className="field">
        <span>Options (the customer&apos;s form): a list of {'{ key, label, type, default, required, help, choices, min, max }'}; type is one of string, integer, number, boolean, choice, multiChoice, country, crm. Flows read them as <code>options.&lt;key&gt;</code>.</span>
        <textarea className="textarea mono" rows={8} value={optionsText} onChange={(e) => setOptionsText(e.target.value)} spellCheck={false} data-testid="template-options" />
      </label>
      <label className="field"><span>Version note</span><input className="input" value={message} onChange={(e) => setMessage(e.target.value)} data-testid="template-message" /></label>
      {(localError ?? p.error) && <p className="notice notice-err" role="alert" data-testid="template-form-error">{localError ?? p.error}</p>}
      <div className="toolbar">
        <button type="button" className="btn btn-primary" disabled={p.busy || !name.trim() || !chosen.length} onClick={submit} data-testid="template-save">{p.busy ? 'Saving…' : p.submitLabel}</button>
        <button type="button" className="btn" onClick={p.onCancel}>Cancel</button>
      </div>
    </div>
  );
}
