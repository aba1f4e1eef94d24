// The staff app's storage warnings (lib/runs/storage-budget.ts): the data folder's disk running low, the run
// history near its budget. Rendered by the staff layout on every page while they hold.
export interface StorageWarning { kind: string; message: string }

export function StorageWarnings({ warnings }: { warnings: StorageWarning[] }) {
  if (!warnings.length) return null;
  return (
    <div role="alert" data-testid="storage-warnings" style={{ margin: '0 0 12px', padding: '10px 14px', border: '1px solid #d97706', background: '#fffbeb', color: '#78350f', borderRadius: 6 }}>
      {warnings.map((w) => <p key={w.kind} data-testid={`storage-warning-${w.kind}`} style={{ margin: '2px 0' }}><strong>Storage:</strong> {w.message}</p>)}
    </div>
  );
}
