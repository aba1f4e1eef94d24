'use client';
// The portal's Connections page: every connector Patchbay offers, with its health and its ways to connect.
import { useRouter } from 'next/navigation';
import { ConnectorCard } from './connector-card';
import { useConnections } from './portal-api';
import styles from './portal.module.css';

export function ConnectionsPage({ customerId, connected, error }: { customerId: string; connected?: string; error?: string }) {
  const router = useRouter();
  const q = useConnections(customerId);
  const dismiss = () => router.replace(`/portal/${encodeURIComponent(customerId)}/connections`);
  const connectedName = connected && q.data?.connectors.find((c) => c.system === connected)?.name;

  return (
    <main className={styles.page}>
      <div className="page-head">
        <div>
          <h1>Connections</h1>
          <p>Connect the systems your automations use. Credentials are stored encrypted and used only for your automations.</p>
        </div>
      </div>
      {connected && (
        <p className="notice notice-info" role="status" data-testid="portal-notice">
          {connectedName ?? connected} is connected. <button type="button" className="btn btn-ghost btn-sm" onClick={dismiss}>Dismiss</button>
        </p>
      )}
      {error && (
        <p className="notice notice-err" role="alert" data-testid="portal-error">
          {error} <button type="button" className="btn btn-ghost btn-sm" onClick={dismiss}>Dismiss</button>
        </p>
      )}
      {q.isPending && <p className="muted">Loading connections…</p>}
      {q.error && (
        <p className="notice notice-err" role="alert">
          {q.error.status === 401 ? 'Your portal session has expired: open the integrations page from your provider again.' : q.error.message}
        </p>
      )}
      {q.data && (
        <div className={styles.grid}>
          {q.data.connectors.map((c) => <ConnectorCard key={c.system} customerId={customerId} connector={c} />)}
        </div>
      )}
    </main>
  );
}
