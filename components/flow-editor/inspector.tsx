'use client';
// The right-hand panel: the selected block's params as a form generated from its schema, or the flow's own
// settings and every problem the validator found when nothing is selected.
import { useMemo } from 'react';
import type { FlowIssue } from '@/lib/staff-api/contract';
import { blockIcon, findBlock, type BlockInfo } from './block-catalog';
import type { DataPath } from './data-paths';
import { deriveFields, type FormField } from './form-fields';
import { FlowDeadlineSetting, FlowFallbackSettings, FlowRecordingSettings, NodeErrorSettings } from './error-settings';
import type { BlockNode, FlowMeta, NodeOnError, NodeRetry } from './flow-mapping';
import { ParamField } from './param-field';
import { ExpressionHelp, ParamPreview } from './param-preview';
import type { ExpressionScope } from '@/engine/core/expressions';
import styles from './flow-editor.module.css';

const OPTIONS_FIELD: FormField = { name: 'options', label: 'Options', kind: 'json', required: false, nullable: false, description: 'Defaults for the options a customer sets when enabling the integration (options.* in expressions).' };

interface NodeProps {
  node: BlockNode;
  blocks: BlockInfo[];
  issues: FlowIssue[];
  paths: readonly DataPath[];
  readOnly: boolean;
  onParam: (name: string, value: unknown) => void;
  onLabel: (label: string) => void;
  onErrorSettings: (next: { onError?: NodeOnError; retry?: NodeRetry }) => void;
  onDelete: () => void;
  /** The last test run's data, for previews of expression params (null before a test run). */
  previewScope: ExpressionScope | null;
}

export function NodeInspector({ node, blocks, issues, paths, readOnly, onParam, onLabel, onErrorSettings, onDelete, previewScope }: NodeProps) {
  const block = findBlock(blocks, node.data.type);
  const fields = useMemo(() => (block ? deriveFields(block.params) : []), [block]);
  const fieldIssues = (name: string) => issues.filter((i) => i.path[2] === 'params' && i.path[3] === name).map((i) => i.message);
  const known = new Set(fields.map((f) => f.name));
  const otherIssues = issues.filter((i) => !(i.path[2] === 'params' && known.has(String(i.path[3]))));
  return (
    <div className={styles.inspectorBody} data-testid="inspector">
      <div className={styles.inspectorHead}>
        <span className={styles.nodeIcon} aria-hidden>{blockIcon(block?.icon ?? '?')}</span>
        <div>
          <h2>{block?.title ?? node.data.type}</h2>
          <div className={styles.muted}>{node.data.type}{block && !node.data.type.includes('@') ? `@${block.version}` : ''}</div>
        </div>
      </div>
      {block && <p className={styles.fieldHelp}>{block.description}</p>}
      {!block && <p className={styles.fieldError}>This flow uses a block Patchbay does not know (“{node.data.type}”).</p>}
      <div className={styles.field}>
        <label className={styles.fieldLabel} htmlFor="node-label">Label</label>
        <input id="node-label" className={styles.input} value={node.data.label ?? ''} placeholder={block?.title} disabled={readOnly} data-testid="node-label" onChange={(e) => onLabel(e.target.value)} />
        <div className={styles.fieldHelp}>Expressions reach this block’s output as <code>steps.{node.id}</code>.</div>
      </div>
      {otherIssues.length > 0 && (
        <ul className={styles.issueList} data-testid="node-issues">
          {otherIssues.map((i, k) => <li key={k}>{i.message}</li>)}
        </ul>
      )}
      <form onSubmit={(e) => e.preventDefault()} aria-label="Parameters">
        {fields.map((f) => (
          <div key={`${node.id}:${f.name}`}>
            <ParamField field={f} value={node.data.params[f.name]} paths={paths} testId={`param-${f.name}`} disabled={readOnly}
              issues={fieldIssues(f.name)} onChange={(v) => onParam(f.name, v)} />
            {!block?.isTrigger && <ParamPreview value={node.data.params[f.name]} scope={previewScope} testId={`param-${f.name}`} />}
          </div>
        ))}
      </form>
      {!block?.isTrigger && <ExpressionHelp />}
      {block && !block.isTrigger && (
        <NodeErrorSettings block={block} onError={node.data.onError} retry={node.data.retry} paths={paths} readOnly={readOnly} onChange={onErrorSettings} />
      )}
      {block && block.ports.length > 0 && (
        <div className={styles.field}>
          <div className={styles.fieldLabel}>Outputs</div>
          <div className={styles.muted}>{block.ports.map((p) => p.label).join(' · ')}</div>
        </div>
      )}
      {!readOnly && <button type="button" className={styles.dangerButton} onClick={onDelete} data-testid="delete-node">Delete block</button>}
    </div>
  );
}

interface FlowProps {
  meta: FlowMeta;
  issues: FlowIssue[];
  nodeCount: number;
  readOnly: boolean;
  paths: readonly DataPath[];
  onMeta: (patch: Partial<FlowMeta>) => void;
  onSelectNode: (id: string) => void;
  issueNodeId: (i: FlowIssue) => string | undefined;
}

export function FlowInspector({ meta, issues, nodeCount, readOnly, paths, onMeta, onSelectNode, issueNodeId }: FlowProps) {
  return (
    <div className={styles.inspectorBody} data-testid="flow-settings">
      <h2>Flow settings</h2>
      {nodeCount === 0 && (
        <p className={styles.hint} data-testid="empty-canvas-hint">
          Start with a trigger: drag <b>Webhook / automation URL</b> from the palette onto the canvas, then add the blocks it should run and connect their outputs.
        </p>
      )}
      <div className={styles.field}>
        <label className={styles.fieldLabel} htmlFor="flow-description">Description</label>
        <textarea id="flow-description" className={styles.textarea} rows={3} value={meta.description ?? ''} disabled={readOnly} data-testid="flow-description"
          onChange={(e) => onMeta({ description: e.target.value === '' ? undefined : e.target.value })} />
      </div>
      <ParamField field={OPTIONS_FIELD} value={meta.options} paths={paths} testId="flow-options" disabled={readOnly}
        onChange={(v) => onMeta({ options: v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {} })} />
      <FlowFallbackSettings fallback={meta.fallback} paths={paths} readOnly={readOnly} onChange={(fallback) => onMeta({ fallback })} />
      <FlowRecordingSettings recording={meta.recording} readOnly={readOnly} onChange={(recording) => onMeta({ recording })} />
      <FlowDeadlineSetting deadlineMs={meta.deadlineMs} hasFallback={!!meta.fallback} readOnly={readOnly} onChange={(deadlineMs) => onMeta({ deadlineMs })} />
      <div className={styles.field}>
        <div className={styles.fieldLabel}>Problems</div>
        {issues.length === 0 ? <div className={styles.okText} data-testid="flow-valid">No problems: this flow can be published.</div> : (
          <ul className={styles.issueList} data-testid="flow-issues">
            {issues.map((i, k) => {
              const id = issueNodeId(i);
              return <li key={k}>{id ? <button type="button" className={styles.linkButton} onClick={() => onSelectNode(id)}>{id}</button> : null}{id ? ': ' : ''}{i.message}</li>;
            })}
          </ul>
        )}
      </div>
      <p className={styles.fieldHelp}>Select a block to edit it. Shortcuts: Ctrl+Z undo, Ctrl+Shift+Z redo, Ctrl+C / Ctrl+V copy and paste, Delete removes the selection.</p>
    </div>
  );
}
