'use client';
// The vendor sets each customer's phone-system connection here (the phone system is the vendor's own
// product; the customer portal does not ask for it): base URL, API token and the webhook secret that signs
// call events. Credentials are write-only: the form shows whether they are set, never what they are.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { CustomerListItem } from '@/lib/staff-api/contract';
import type { PhoneSystemConnectionView } from '@/lib/connections/phone-system-connection';
import { apiGet, apiSend, useStaffMutation } from '../api-client';
import { useStaff } from '../staff/staff-context';
import styles from './syncs.module.css';

type Answer = { customer: string; connection: PhoneSystemConnectionView | null };
const path = (customer: string) => `/api/staff/customers/${encodeURIComponent(customer)}/phone-system`;

export function PhoneSystemForm() {
  const staff = useStaff();
  const customers = useQuery({ queryKey: ['customers'], queryFn: () => apiGet<CustomerListItem[]>('/api/staff/customers') });
  const [customer, setCustomer] = useState('');
  const selected = customer || customers.data?.[0]?.externalId || '';
  const current = useQuery({ queryKey: ['phone-system', selected], queryFn: () => apiGet<Answer>(path(selected)), enabled: !!selected });
  const [baseUrl, setBaseUrl] = useState('');
  const [token, setToken] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const save = useStaffMutation(
    () => apiSend<Answer>('PUT', path(selected), { baseUrl: baseUrl || current.data?.connection?.baseUrl || '', credentials: { token }, webhookSecret: webhookSecret || null }),
    { invalidate: [['phone-system', selected]], onSuccess: () => { setToken(''); setWebhookSecret(''); setNotice('Saved.'); }, onError: (e) => setNotice(e.message) },
  );
  const conn = current.data?.connection ?? null;
  return (
    <section className={`card ${styles.hooks}`} data-testid="phone-system-form">
      <h2>Phone system connection</h2>
      <p className="muted">
        Where Patchbay reaches your phone system for each customer (phonebook, call routing), and the secret that signs its call webhooks
        (<code>x-phonesystem-signature</code>). Also settable with <code>PUT /api/v1/customers/&#123;id&#125;/connections/phonesystem</code>.
      </p>
      <form className={styles.phoneForm} onSubmit={(e) => { e.preventDefault(); setNotice(null); save.mutate(undefined); }}>
        <label>Customer
          <select value={selected} onChange={(e) => { setCustomer(e.target.value); setNotice(null); }} data-testid="phone-system-customer">
            {(customers.data ?? []).map((c) => <option key={c.id} value={c.externalId}>{c.name} ({c.externalId})</option>)}
          </select>
        </label>
        <p className="muted" data-testid="phone-system-status">
          {conn ? `Connected to ${conn.baseUrl} · webhook secret ${conn.webhookSecretSet ? 'set' : 'not set (call webhooks answer 401)'}` : 'Not connected'}
        </p>
        <label>Base URL <input type="url" value={baseUrl} placeholder={conn?.baseUrl ?? 'https://phones.example.com'} onChange={(e) => setBaseUrl(e.target.value)} data-testid="phone-system-base-url" /></label>
        <label>API token <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} required data-testid="phone-system-token" /></label>
        <label>Webhook secret <input type="password" autoComplete="off" value={webhookSecret} minLength={16} placeholder="at least 16 characters" onChange={(e) => setWebhookSecret(e.target.value)} data-testid="phone-system-webhook-secret" /></label>
        <div>
          <button type="submit" className="btn btn-sm" disabled={!selected || save.isPending || !staff.canWrite} title={staff.writeDeniedReason ?? undefined} data-testid="phone-system-save">Save</button>
          {notice && <span className="muted" data-testid="phone-system-notice"> {notice}</span>}
        </div>
      </form>
    </section>
  );
}
