'use client';
// "New flow": a template to start from (or a blank flow), a name and the automation it answers to, then straight
// into the editor. The automation name suggested is one no other flow of the vendor uses; a taken one is refused here
// and by the server.
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { KNOWN_AUTOMATIONS } from '@/lib/flows/new-flow';
import { FLOW_TEMPLATES, findTemplate, suggestAutomationName } from '@/lib/flows/templates';
import { queryKeys, staffApi, useStaffMutation } from '../api-client';
import { FormDialog } from '../ui/confirm-dialog';
import { useFlows } from './use-flows';

const AUTOMATION_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function CreateFlowDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const router = useRouter();
  const flows = useFlows();
  const taken = useMemo(() => new Map((flows.data ?? []).map((f) => [f.automation, f.name])), [flows.data]);
  const [templateId, setTemplateId] = useState('blank');
  const [name, setName] = useState('Untitled flow');
  const [automation, setAutomation] = useState<string>('');
  const [touched, setTouched] = useState(false);
  const template = findTemplate(templateId)!;
  // Until the user types their own, the automation follows the template, made free of taken names.
  useEffect(() => {
    if (!touched) setAutomation(suggestAutomationName(templateId === 'blank' ? KNOWN_AUTOMATIONS.find((a) => !taken.has(a)) ?? 'my_automation' : template.automation, taken.keys()));
  }, [taken, template, templateId, touched]);
  const create = useStaffMutation((v: { name: string; automation: string }) => staffApi.createFlow(template.definition(v)), {
    invalidate: [queryKeys.flows],
    onSuccess: (d) => router.push(`/flows/${d.id}`),
  });
  const automationOk = AUTOMATION_NAME.test(automation);
  const takenBy = taken.get(automation);
  const close = () => { create.reset(); setTouched(false); onClose(); };
  const pick = (id: string) => {
    setTemplateId(id);
    const t = findTemplate(id)!;
    if (name === 'Untitled flow' || FLOW_TEMPLATES.some((x) => x.title === name)) setName(id === 'blank' ? 'Untitled flow' : t.title);
  };
  return (
    <FormDialog open={open} title="New flow" onClose={close} testId="create-flow-dialog" busy={create.isPending}>
      <form
        onSubmit={(e) => { e.preventDefault(); if (name.trim() && automationOk && !takenBy) create.mutate({ name: name.trim(), automation }); }}
        style={{ display: 'flex', flexDirection: 'column', gap: 12 }}
      >
        <fieldset className="field" style={{ border: 0, padding: 0, margin: 0 }} data-testid="create-flow-templates">
          <legend><span>Start from</span></legend>
          {FLOW_TEMPLATES.map((t) => (
            <label key={t.id} style={{ display: 'flex', gap: 8, alignItems: 'baseline', padding: '2px 0' }}>
              <input type="radio" name="template" value={t.id} checked={templateId === t.id} onChange={() => pick(t.id)} data-testid={`template-${t.id}`} />
              <span><b>{t.title}</b> <span className="field-hint">{t.summary}</span></span>
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>Name</span>
          <input className="input" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required autoFocus data-testid="create-flow-name" />
        </label>
        <label className="field">
          <span>Automation</span>
          <input className="input mono" value={automation} onChange={(e) => { setTouched(true); setAutomation(e.target.value.trim()); }} list="known-automations" required
            aria-invalid={!automationOk || !!takenBy} aria-describedby="automation-hint" data-testid="create-flow-automation" />
          <datalist id="known-automations">{KNOWN_AUTOMATIONS.filter((a) => !taken.has(a)).map((a) => <option key={a} value={a} />)}</datalist>
          <span id="automation-hint" className={automationOk && !takenBy ? 'field-hint' : 'field-error'} data-testid="create-flow-automation-hint">
            {!automationOk ? 'Use lower_snake_case: letters, digits and _, starting with a letter.'
              : takenBy ? <>The flow “{takenBy}” already answers to <code>{automation}</code>: choose another name.</>
                : <>The name your backend calls: <code>/api/v1/customers/…/automations/{automation}</code></>}
          </span>
        </label>
        {create.error && <p className="notice notice-err" role="alert" data-testid="create-flow-error">{create.error.message}</p>}
        <div style={{ display: 'flex', justifyContent: 'flex-end', gap: 8 }}>
          <button type="button" className="btn" onClick={close} disabled={create.isPending}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim() || !automationOk || !!takenBy} data-testid="create-flow-submit">
            {create.isPending ? 'Creating…' : 'Create and open'}
          </button>
        </div>
      </form>
    </FormDialog>
  );
}
