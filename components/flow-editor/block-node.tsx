'use client';
// A block on the canvas: icon, title, one-line param summary, validation marker, last test-run status,
// and one labelled output handle per port (`found` / `not found`, `true` / `false` …).
import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { blockIcon, findBlock } from './block-catalog';
import { useEditorContext } from './editor-context';
import { formatMs, nodePorts, summarizeParams, TARGET_HANDLE, type BlockNode } from './flow-mapping';
import styles from './flow-editor.module.css';

function BlockNodeView({ id, data, selected }: NodeProps<BlockNode>) {
  const { blocks, issuesByNode, stepsByNode, readOnly } = useEditorContext();
  const block = findBlock(blocks, data.type);
  const issues = issuesByNode.get(id) ?? [];
  const step = stepsByNode.get(id);
  const failed = step?.status === 'failed';
  const ports = nodePorts(block, data);
  const cls = [styles.node, selected ? styles.nodeSelected : '', issues.length ? styles.nodeInvalid : '', step ? (failed ? styles.nodeFailed : styles.nodeOk) : ''].join(' ');
  return (
    <div className={cls} data-testid={`node-${id}`} title={block?.description}>
      <Handle type="target" id={TARGET_HANDLE} position={Position.Left} className={block?.isTrigger ? styles.handleClosed : styles.handle} isConnectable={!readOnly} />
      <div className={styles.nodeHead}>
        <span className={styles.nodeIcon} aria-hidden>{blockIcon(block?.icon ?? '?')}</span>
        <span className={styles.nodeTitle}>{data.label || block?.title || data.type}</span>
        {(data.onError && data.onError.action !== 'stop') || data.retry ? (
          <span className={styles.muted} data-testid={`node-error-setting-${id}`} title={`On error: ${data.onError?.action ?? 'stop'}${data.retry ? `; retries ${data.retry.count}` : ''}`}>
            {data.onError?.action === 'continue' ? '↷' : data.onError?.action === 'error' ? '⚠' : ''}{data.retry ? `↻${data.retry.count}` : ''}
          </span>
        ) : null}
        {issues.length > 0 && <span className={styles.issueDot} data-testid={`node-issue-marker-${id}`} aria-label={`${issues.length} problem(s)`}>!</span>}
      </div>
      <div className={styles.nodeId}>{id}{block ? '' : ` · unknown block ${data.type}`}</div>
      <div className={styles.nodeSummary}>{summarizeParams(block, data.params) || '\u00a0'}</div>
      {issues.length > 0 && <div className={styles.nodeIssue} data-testid={`node-issue-${id}`}>{issues[0]}{issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}</div>}
      {step && (
        <div className={failed ? styles.nodeStepFailed : styles.nodeStepOk} data-testid={`node-status-${id}`}>
          {failed ? (step.errorHandled ? `failed, handled (${step.errorHandled === 'error' ? 'error output' : 'continued'})` : 'failed') : step.status === 'succeeded' ? 'ok' : step.status} · {formatMs(step.durationMs)}{step.port && ports.length > 1 ? ` → ${ports.find((p) => p.id === step.port)?.label ?? step.port}` : ''}
          {failed && step.error && <div className={styles.nodeError} data-testid={`node-error-${id}`}>{step.error.message}</div>}
        </div>
      )}
      {ports.length > 0 && (
        <div className={styles.ports}>
          {ports.map((p) => (
            <div key={p.id} className={styles.port} data-testid={`port-${id}-${p.id}`}>
              <span className={step?.port === p.id ? styles.portTaken : undefined}>{p.label}</span>
              <Handle type="source" id={p.id} position={Position.Right} className={styles.handle} isConnectable={!readOnly} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

export const BlockNodeComponent = memo(BlockNodeView);
export const nodeTypes = { block: BlockNodeComponent };
