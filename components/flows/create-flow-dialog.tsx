'use client';
// "New flow": a name and the automation it answers to, then straight into the editor with just a trigger.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { KNOWN_AUTOMATIONS, newFlowDefinition } from '@/lib/flows/new-flow';
import { queryKeys, staffApi, useStaffMutation } from '../api-client';
import { FormDialog } from '../ui/confirm-dialog';

const AUTOMATION_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function CreateFlowDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const router = useRouter();
  const [name, setName] = useState('Untitled flow');
  const [automation, setAutomation] = useState<string>('caller_lookup');
  const create = useStaffMutation((v: { name: string; automation: string }) => staffApi.createFlow(newFlowDefinition(v)), {
    invalidate: [queryKeys.flows],
    onSuccess: (d) => router.push(`/flows/${d.id}`),
  });
  const automationOk = AUTOMATION_NAME.test(automation);
  const close = () => { create.reset(); onClose(); };
  return (
    <FormDialog open={open} title="New flow" onClose={close} testId="create-flow-dialog" busy={create.isPending}>
      <form
        onSubmit={(e) => { e.preventDefault(); if (name.trim() && automationOk) create.mutate({ name: name.trim(), automation }); }}
        style={{ display: 'flex', flexDirection: 'column', gap: 12 }}
      >
        <label className="field">
          <span>Name</span>
          <input className="input" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required autoFocus data-testid="create-flow-name" />
        </label>
        <label className="field">
          <span>Automation</span>
          <input className="input mono" value={automation} onChange={(e) => setAutomation(e.target.value.trim())} list="known-automations" required
            aria-invalid={!automationOk} aria-describedby="automation-hint" data-testid="create-flow-automation" />
          <datalist id="known-automations">{KNOWN_AUTOMATIONS.map((a) => <option key={a} value={a} />)}</datalist>
          <span id="automation-hint" className={automationOk ? 'field-hint' : 'field-error'}>
            {automationOk ? <>The name your backend calls: <code>/api/v1/customers/…/automations/{automation}</code></> : 'Use lower_snake_case: letters, digits and _, starting with a letter.'}
          </span>
        </label>
        {create.error && <p className="notice notice-err" role="alert" data-testid="create-flow-error">{create.error.message}</p>}
        <div style={{ display: 'flex', justifyContent: 'flex-end', gap: 8 }}>
          <button type="button" className="btn" onClick={close} disabled={create.isPending}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim() || !automationOk} data-testid="create-flow-submit">
            {create.isPending ? 'Creating…' : 'Create and open'}
          </button>
        </div>
      </form>
    </FormDialog>
  );
}
