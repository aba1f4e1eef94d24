'use client';
// Beside an expression param: what it evaluates to on the last test run's data (live as you type), and the
// expression language reference one click away.
import { useEffect, useState } from 'react';
import { compileValue, isExpression, type ExpressionScope } from '@/engine/core/expressions';
import styles from './flow-editor.module.css';

const show = (v: unknown) => (v === undefined ? 'nothing (undefined): a condition reads it as missing, a lookup finds nobody' : JSON.stringify(v));

function holdsExpression(v: unknown): boolean {
  if (isExpression(v)) return true;
  if (Array.isArray(v)) return v.some(holdsExpression);
  if (v && typeof v === 'object') return Object.values(v).some(holdsExpression);
  return false;
}

/** The value `value` takes on `scope` (the last test run), recomputed as it is edited. */
export function ParamPreview({ value, scope, testId }: { value: unknown; scope: ExpressionScope | null; testId: string }) {
  const [out, setOut] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (!scope || !holdsExpression(value)) { setOut(null); return; }
    let live = true;
    const t = setTimeout(() => {
      void (async () => {
        try {
          const v = await compileValue(value).evaluate(scope);
          if (live) setOut({ ok: true, text: show(v) });
        } catch (err) {
          if (live) setOut({ ok: false, text: (err as Error).message });
        }
      })();
    }, 150);
    return () => { live = false; clearTimeout(t); };
  }, [value, scope]);
  if (!out) return null;
  const text = out.text.length > 300 ? `${out.text.slice(0, 299)}…` : out.text;
  return (
    <div className={out.ok ? styles.fieldHelp : styles.fieldError} data-testid={`${testId}-preview`} title="Evaluated on the data of the last test run">
      Last test run: <code>{text}</code>
    </div>
  );
}

export function ExpressionHelp() {
  const [open, setOpen] = useState(false);
  return (
    <div className={styles.field}>
      <button type="button" className={styles.linkButton} aria-expanded={open} onClick={() => setOpen(!open)} data-testid="expression-help-toggle">
        {open ? '▾' : '▸'} Expressions: how to fill a field from data
      </button>
      {open && (
        <div className={styles.fieldHelp} data-testid="expression-help">
          <p><b>Fixed value</b>: type it (<code>gold</code>, <code>200</code>, <code>{'{ "found": true }'}</code>).</p>
          <p><b>Expression</b>: start with <code>=</code>; the result keeps its type. <code>=trigger.phone</code>, <code>=steps.lookup.contact.custom.tier</code>, <code>=$uppercase(trigger.name)</code>, <code>=steps.lookup.found ? &quot;vip&quot; : &quot;main&quot;</code>.</p>
          <p><b>Template</b>: text with <code>{'{{ … }}'}</code> parts, always text: <code>{'Call back {{ trigger.from }}'}</code>. In a JSON body, <code>{'{"n": {{ trigger.count }}}'}</code> puts the value itself.</p>
          <p><b>What you can read</b>: <code>trigger</code> (the request body), <code>steps.&lt;id&gt;</code> (an earlier step’s output; the id is under the block’s title), <code>options</code> (the customer’s integration options), <code>customer</code> (<code>id</code>, <code>defaultCountry</code>), <code>run</code> (<code>id</code>, <code>mode</code>).</p>
          <p><b>Missing data</b> is not an error: <code>=trigger.nothing</code> gives nothing; a Condition on it is false (<i>is empty</i> is true), a lookup finds nobody.</p>
          <p><b>Functions</b> (JSONata): <code>$string</code>, <code>$number</code>, <code>$lowercase</code>, <code>$uppercase</code>, <code>$trim</code>, <code>$contains</code>, <code>$substring</code>, <code>$join</code>, <code>$split</code>, <code>$count</code>, <code>$sum</code>, <code>$exists</code>, <code>$now()</code>, <code>$lookup</code>, <code>$merge</code>. <code>$json</code> / <code>$node</code> (n8n) mean nothing here. Reference: <a href="https://docs.jsonata.org/overview.html" target="_blank" rel="noreferrer">docs.jsonata.org</a>.</p>
        </div>
      )}
    </div>
  );
}
