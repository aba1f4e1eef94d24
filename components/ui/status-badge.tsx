// A run status as a coloured badge with a word (never colour alone).
import type { RunStatus } from '@/lib/staff-api/contract';

const TONE: Record<string, string> = {
  succeeded: 'badge-ok', failed: 'badge-err', timeout: 'badge-err', waiting: 'badge-warn', running: 'badge-info', queued: 'badge-muted', suspended: 'badge-warn',
};
const ICON: Record<string, string> = { succeeded: '✓', failed: '✕', timeout: '⏱', waiting: '⏸', running: '●', queued: '○', suspended: '⏸' };

export function StatusBadge({ status, testId }: { status: RunStatus | string; testId?: string }) {
  return (
    <span className={`badge ${TONE[status] ?? 'badge-muted'}`} data-testid={testId} data-status={status}>
      <span aria-hidden>{ICON[status] ?? '•'}</span>{status}
    </span>
  );
}
