'use client';
// The Flows page: every flow of the vendor with its publish state and last run; create, duplicate,
// delete, import and export. Writes are offered to editors and owners only (the API enforces the same).
import Link from 'next/link';
import { useRef, useState } from 'react';
import type { FlowListItem } from '@/lib/staff-api/contract';
import { ApiRequestError, queryKeys, staffApi, useStaffMutation } from '../api-client';
import { useStaff } from '../staff/staff-context';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { EmptyState } from '../ui/empty-state';
import { RelativeTime } from '../ui/relative-time';
import { StatusBadge } from '../ui/status-badge';
import { CreateFlowDialog } from './create-flow-dialog';
import styles from './flows-list.module.css';
import { useFlows } from './use-flows';

export function FlowsList() {
  const me = useStaff();
  const flows = useFlows();
  const [creating, setCreating] = useState(false);
  const [toDelete, setToDelete] = useState<FlowListItem | null>(null);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'err'; text: string; issues?: ApiRequestError['issues'] } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const duplicate = useStaffMutation((f: FlowListItem) => staffApi.duplicate(f.id), {
    invalidate: [queryKeys.flows],
    onSuccess: (_d, f) => setNotice({ tone: 'ok', text: `Duplicated "${f.name}": the copy is a draft at the top of the list.` }),
    onError: (e) => setNotice({ tone: 'err', text: e.message }),
  });
  const remove = useStaffMutation((f: FlowListItem) => staffApi.deleteFlow(f.id), {
    invalidate: [queryKeys.flows],
    onSuccess: (_d, f) => { setToDelete(null); setNotice({ tone: 'ok', text: `Deleted "${f.name}".` }); },
  });
  const importFlow = useStaffMutation((f: { definition: unknown; fileName: string }) => staffApi.importFlow(f.definition), {
    invalidate: [queryKeys.flows],
    onSuccess: (d, f) => setNotice({ tone: 'ok', text: `Imported "${f.fileName}" as a new draft at the top of the list.${d.renamedFrom ? ` Another flow answers to "${d.renamedFrom}" already, so this one answers to "${d.automation}".` : ''}` }),
    onError: (e, f) => setNotice(e.issues?.length
      ? { tone: 'err', text: `"${f.fileName}" is not a flow Patchbay can load:`, issues: e.issues }
      : { tone: 'err', text: `Import of "${f.fileName}" failed: ${e.message}` }),
  });

  async function onFile(file: File | undefined) {
    if (!file) return;
    setNotice(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch (err) {
      setNotice({ tone: 'err', text: `"${file.name}" is not a JSON file: ${(err as Error).message}` });
      return;
    }
    importFlow.mutate({ definition: parsed, fileName: file.name });
  }

  const writeTitle = me.writeDeniedReason ?? undefined;
  // The header and the empty state both offer these; test ids differ so each is addressable on its own.
  const actions = (where: 'head' | 'empty') => (
    <>
      <button type="button" className="btn" disabled={!me.canWrite || importFlow.isPending} title={writeTitle} onClick={() => fileInput.current?.click()} data-testid={where === 'head' ? 'flow-import' : 'flow-import-empty'}>
        {importFlow.isPending ? 'Importing…' : 'Import JSON'}
      </button>
      <button type="button" className="btn btn-primary" disabled={!me.canWrite} title={writeTitle} onClick={() => setCreating(true)} data-testid={where === 'head' ? 'flow-create' : 'flow-create-empty'}>
        New flow
      </button>
    </>
  );

  return (
    <div className="page" data-testid="flows-page">
      <div className="page-head">
        <div>
          <h1>Flows</h1>
          <p>Each flow answers one automation (caller_lookup, call_logging …) for the customers who enable it.</p>
        </div>
        <div className="toolbar">{actions('head')}</div>
        <input ref={fileInput} type="file" accept="application/json,.json" className="visually-hidden" tabIndex={-1} aria-hidden
          onChange={(e) => { void onFile(e.target.files?.[0]); e.target.value = ''; }} data-testid="flow-import-input" />
      </div>

      {!me.canWrite && <p className="notice notice-info" data-testid="viewer-notice">You can look at flows and runs. {me.writeDeniedReason}</p>}
      {notice && (
        <div className={`notice ${notice.tone === 'err' ? 'notice-err' : ''} ${styles.notice}`} role={notice.tone === 'err' ? 'alert' : 'status'} data-testid={notice.tone === 'err' ? 'flows-error' : 'flows-notice'}>
          <span>{notice.text}</span>
          {notice.issues && notice.issues.length > 0 && (
            <ul className={styles.issues}>{notice.issues.slice(0, 8).map((i, k) => <li key={k}><code>{i.path.join('.') || 'flow'}</code> {i.message}</li>)}</ul>
          )}
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setNotice(null)} aria-label="Dismiss">✕</button>
        </div>
      )}

      {flows.isPending && <p className="muted" data-testid="flows-loading">Loading flows…</p>}
      {flows.error && <p className="notice notice-err" role="alert">Could not load flows: {flows.error.message}</p>}
      {flows.data && flows.data.length === 0 && (
        <EmptyState title="No flows yet" testId="flows-empty" action={me.canWrite ? actions('empty') : undefined}>
          <p>A flow is what runs when your phone system calls an automation URL: a trigger, then blocks such as a CDP lookup, a condition and a JSON answer.</p>
          <p>{me.canWrite ? 'Create one from scratch, or import a .flow.json exported from another Patchbay.' : 'Ask an editor to create the first one.'}</p>
        </EmptyState>
      )}
      {flows.data && flows.data.length > 0 && (
        <div className="card" style={{ overflow: 'hidden' }}>
          <table className="table" data-testid="flows-table">
            <thead>
              <tr><th>Name</th><th>Automation</th><th>Status</th><th>Last edited</th><th>Last run</th><th className={styles.actionsCol}><span className="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {flows.data.map((f) => (
                <tr key={f.id} data-testid="flow-row" data-id={f.id}>
                  <td>
                    <Link href={`/flows/${f.id}`} className={styles.name} data-testid="flow-open">{f.name}</Link>
                    {f.description && <div className={styles.desc}>{f.description}</div>}
                  </td>
                  <td><code>{f.automation}</code></td>
                  <td><PublishState flow={f} /></td>
                  <td className="muted"><RelativeTime iso={f.updatedAt} /></td>
                  <td>
                    {f.lastRun ? (
                      <Link href={`/runs?flowId=${f.id}`} className={styles.lastRun} data-testid="flow-last-run" title="Runs of this flow">
                        <StatusBadge status={f.lastRun.status} /> <RelativeTime iso={f.lastRun.startedAt} />
                      </Link>
                    ) : <span className="muted">never run</span>}
                  </td>
                  <td className={styles.actionsCol}>
                    <div className={styles.rowActions}>
                      <button type="button" className="btn btn-sm" disabled={!me.canWrite || duplicate.isPending} title={writeTitle ?? 'Make a draft copy'} onClick={() => duplicate.mutate(f)} data-testid="flow-duplicate">Duplicate</button>
                      <a className="btn btn-sm" href={staffApi.exportUrl(f.id)} download title="Download the latest version as .flow.json" data-testid="flow-export">Export</a>
                      <button type="button" className="btn btn-sm" disabled={!me.canWrite} title={writeTitle ?? 'Delete this flow'} onClick={() => { remove.reset(); setToDelete(f); }} data-testid="flow-delete">Delete</button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <CreateFlowDialog open={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        open={!!toDelete}
        title={`Delete "${toDelete?.name ?? ''}"?`}
        confirmLabel="Delete flow"
        danger
        busy={remove.isPending}
        error={remove.error?.message}
        onCancel={() => setToDelete(null)}
        onConfirm={() => toDelete && remove.mutate(toDelete)}
        testId="delete-flow-dialog"
      >
        <p>The flow disappears from this list. Its versions and past runs stay on record.</p>
        {toDelete && toDelete.enabledCustomers > 0 && (
          <p className="notice notice-warn" data-testid="delete-flow-in-use">
            {toDelete.enabledCustomers} customer{toDelete.enabledCustomers === 1 ? '' : 's'} use{toDelete.enabledCustomers === 1 ? 's' : ''} it: their <code>{toDelete.automation}</code> automation stops answering.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}

function PublishState({ flow }: { flow: FlowListItem }) {
  if (flow.publishedVersion === null) return <span className="badge badge-muted" data-testid="flow-status" data-status="draft">Draft · v{flow.latestVersion}</span>;
  return (
    <span className={styles.state}>
      <span className="badge badge-ok" data-testid="flow-status" data-status="published">Published · v{flow.publishedVersion}</span>
      {flow.latestVersion > flow.publishedVersion && <span className="muted" title="Saved versions newer than the published one">draft v{flow.latestVersion}</span>}
    </span>
  );
}
