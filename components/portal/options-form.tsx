'use client';
// A template's options as a form, generated from its options schema (one input per field, by type).
import { neededSystems } from '@/lib/templates/needed-systems';
import type { OptionField } from '@/lib/templates/template-definition';
import styles from './portal.module.css';

export function OptionsForm({ fields, values, onChange, crms, error }: {
  fields: OptionField[];
  values: Record<string, unknown>;
  onChange: (next: Record<string, unknown>) => void;
  crms: { system: string; name: string }[];
  /** A 400 from the server names an option: its field shows the message. */
  error?: { key: string; message: string } | null;
}) {
  const set = (key: string, v: unknown) => onChange({ ...values, [key]: v });
  if (!fields.length) return <p className="muted">This integration has no settings.</p>;
  return (
    <div className={styles.form} data-testid="options-form">
      {fields.map((f) => {
        const id = `option-${f.key}`;
        const v = values[f.key];
        let input: React.ReactNode;
        switch (f.type) {
          case 'boolean':
            input = (
              <label className={styles.method}>
                <input id={id} type="checkbox" checked={v === true} onChange={(e) => set(f.key, e.target.checked)} data-testid={id} /> {f.label}
              </label>
            );
            break;
          case 'integer':
          case 'number':
            input = <input id={id} className="input" type="number" min={f.min} max={f.max} step={f.type === 'integer' ? 1 : 'any'} value={v === undefined || v === null ? '' : String(v)}
              onChange={(e) => set(f.key, e.target.value === '' ? undefined : Number(e.target.value))} data-testid={id} />;
            break;
          case 'choice':
          case 'crm': {
            const choices = f.type === 'crm' ? crms.map((c) => ({ value: c.system, label: c.name })) : f.choices ?? [];
            input = (
              <select id={id} className="select" value={typeof v === 'string' ? v : ''} onChange={(e) => set(f.key, e.target.value)} data-testid={id}>
                {!f.required && <option value="">—</option>}
                {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
              </select>
            );
            break;
          }
          case 'multiChoice': {
            const selected = Array.isArray(v) ? (v as string[]) : [];
            input = (
              <div className={styles.methods} id={id} data-testid={id}>
                {(f.choices ?? []).map((c) => (
                  <label key={c.value} className={styles.method}>
                    <input type="checkbox" checked={selected.includes(c.value)} data-testid={`${id}-${c.value}`}
                      onChange={(e) => set(f.key, e.target.checked ? [...selected, c.value] : selected.filter((x) => x !== c.value))} />
                    {c.label}
                  </label>
                ))}
              </div>
            );
            break;
          }
          default:
            input = <input id={id} className="input" value={typeof v === 'string' ? v : ''} maxLength={f.type === 'country' ? 2 : 500}
              onChange={(e) => set(f.key, f.type === 'country' ? e.target.value.toUpperCase() : e.target.value)} data-testid={id} />;
        }
        return (
          <div key={f.key} className="field">
            {f.type !== 'boolean' && <label className="field-label" htmlFor={id}>{f.label}</label>}
            {input}
            {f.help && <p className="field-hint" style={{ margin: 0 }}>{f.help}</p>}
            {error?.key === f.key && <p className="field-error" role="alert" data-testid={`${id}-error`}>{error.message}</p>}
          </div>
        );
      })}
    </div>
  );
}

/** The options a form starts with: the saved ones, else each field's default. */
export function initialOptions(fields: OptionField[], saved?: Record<string, unknown> | null): Record<string, unknown> {
  if (saved) return { ...saved };
  return Object.fromEntries(fields.filter((f) => f.default !== undefined).map((f) => [f.key, structuredClone(f.default)]));
}

/** The systems a template needs for these options ("crm" → the CRM chosen; the storage chosen while storing is on). */
export function neededFor(connections: string[], fields: OptionField[], options: Record<string, unknown>): string[] {
  return neededSystems(connections, fields, options);
}
