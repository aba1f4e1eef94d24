'use client';
// The API keys page (owners): the vendor's keys by prefix, create one (for the whole vendor or confined to one
// customer), rotate (a new key replaces it; the old one stops working at once) and revoke. A new key is shown
// once, in the banner, and never again.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApiKeyView } from '@/lib/tenancy/api-keys';
import type { CustomerListItem } from '@/lib/staff-api/contract';
import { apiGet, apiSend, useStaffMutation } from '../api-client';
import { useStaff } from '../staff/staff-context';
import { EmptyState } from '../ui/empty-state';
import { RelativeTime } from '../ui/relative-time';

const KEYS = ['api-keys'];

export function ApiKeysView() {
  const me = useStaff();
  const owner = me.role === 'owner';
  const keys = useQuery({ queryKey: KEYS, queryFn: () => apiGet<ApiKeyView[]>('/api/staff/api-keys'), enabled: owner });
  const customers = useQuery({ queryKey: ['customers'], queryFn: () => apiGet<CustomerListItem[]>('/api/staff/customers'), enabled: owner });
  const [name, setName] = useState('');
  const [customer, setCustomer] = useState('');
  const [shown, setShown] = useState<{ key: string; name: string; what: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const onError = (e: Error) => setError(e.message);
  const create = useStaffMutation((v: { name: string; customer?: string }) => apiSend<ApiKeyView & { key: string }>('POST', '/api/staff/api-keys', v), {
    invalidate: [KEYS], onSuccess: (k) => { setShown({ key: k.key, name: k.name, what: 'created' }); setName(''); setError(null); }, onError,
  });
  const rotate = useStaffMutation((id: string) => apiSend<ApiKeyView & { key: string }>('POST', `/api/staff/api-keys/${id}/rotate`), {
    invalidate: [KEYS], onSuccess: (k) => { setShown({ key: k.key, name: k.name, what: 'rotated: the old key no longer works' }); setError(null); }, onError,
  });
  const revoke = useStaffMutation((id: string) => apiSend<void>('DELETE', `/api/staff/api-keys/${id}`), { invalidate: [KEYS], onError });

  if (!owner) {
    return (
      <div className="page" data-testid="api-keys-page">
        <h1>API keys</h1>
        <p className="notice notice-info">Your role is {me.role}: only an owner of your workspace manages API keys.</p>
      </div>
    );
  }
  const list = keys.data ?? [];
  return (
    <div className="page" data-testid="api-keys-page">
      <div className="page-head">
        <div>
          <h1>API keys</h1>
          <p>Your backend calls Patchbay with these (<code>Authorization: Bearer …</code>). A key confined to one customer can only run that customer&apos;s automations and read their runs.</p>
        </div>
      </div>
      {shown && (
        <div className="notice notice-warn" data-testid="new-key" style={{ marginBottom: 12 }}>
          <strong>{shown.name}</strong> {shown.what}. Copy the key now: it is not shown again.
          <pre style={{ margin: '8px 0', userSelect: 'all' }} data-testid="new-key-value">{shown.key}</pre>
          <button type="button" className="btn btn-sm" onClick={() => { void navigator.clipboard?.writeText(shown.key); }}>Copy</button>{' '}
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => setShown(null)}>Done</button>
        </div>
      )}
      {error && <div className="notice notice-err" role="alert" style={{ marginBottom: 12 }}>{error}</div>}
      <form
        className="toolbar card" style={{ padding: 12, marginBottom: 16 }}
        onSubmit={(e) => { e.preventDefault(); create.mutate({ name, ...(customer ? { customer } : {}) }); }}
      >
        <label className="field"><span>Name</span><input className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Production backend" data-testid="key-name" required maxLength={100} /></label>
        <label className="field">
          <span>Scope</span>
          <select className="select" value={customer} onChange={(e) => setCustomer(e.target.value)} data-testid="key-customer">
            <option value="">Every customer (vendor key)</option>
            {(customers.data ?? []).map((c) => <option key={c.id} value={c.externalId}>Only {c.name} ({c.externalId})</option>)}
          </select>
        </label>
        <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()} data-testid="key-create">Create key</button>
      </form>
      {keys.isSuccess && !list.length && <EmptyState title="No API keys" testId="keys-empty">Create one above.</EmptyState>}
      {list.length > 0 && (
        <table className="table card" data-testid="keys-table">
          <thead><tr><th>Name</th><th>Key</th><th>Scope</th><th>Created</th><th>State</th><th /></tr></thead>
          <tbody>
            {list.map((k) => (
              <tr key={k.id} data-testid="key-row" data-id={k.id}>
                <td>{k.name}</td>
                <td><code>{k.prefix}…</code></td>
                <td>{k.customer ? `only ${k.customer}` : 'every customer'}</td>
                <td><RelativeTime iso={k.createdAt} />{k.createdBy ? <span className="muted"> by {k.createdBy}</span> : null}</td>
                <td>{k.revokedAt ? <span className="badge badge-muted">{k.replacedBy ? 'rotated' : 'revoked'} <RelativeTime iso={k.revokedAt} /></span> : <span className="badge badge-ok">active</span>}</td>
                <td className="toolbar">
                  {!k.revokedAt && (
                    <>
                      <button type="button" className="btn btn-sm" disabled={rotate.isPending} data-testid="key-rotate"
                        onClick={() => { if (window.confirm(`Rotate "${k.name}"? A new key replaces it and ${k.prefix}… stops working at once.`)) rotate.mutate(k.id); }}>Rotate</button>
                      <button type="button" className="btn btn-sm btn-danger" disabled={revoke.isPending} data-testid="key-revoke"
                        onClick={() => { if (window.confirm(`Revoke "${k.name}"? Calls with ${k.prefix}… are refused at once.`)) revoke.mutate(k.id); }}>Revoke</button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
