'use client';
// One connector on the portal's Connections page: its health, and the ways to (re)connect it —
// an API-key form per the manifest, "Connect with OAuth", the base URL — plus Test connection and Disconnect.
import { useState } from 'react';
import type { AuthOptionView, ConnectionTestResult, ConnectorView } from '@/lib/portal/contract';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { RelativeTime } from '@/components/ui/relative-time';
import { portalApi, usePortalMutation } from './portal-api';
import styles from './portal.module.css';

type ApiKeyOption = Extract<AuthOptionView, { type: 'apiKey' }>;
type OAuthOption = Extract<AuthOptionView, { type: 'oauth2' }>;

function HealthBadge({ c }: { c: ConnectorView }) {
  const s = c.connection?.status;
  const [tone, icon, label] = !c.connection ? ['badge-muted', '○', 'Not connected']
    : s === 'ok' ? ['badge-ok', '✓', 'Working']
      : s === 'error' ? ['badge-err', '✕', 'Needs attention']
        : ['badge-info', '●', 'Connected, not checked yet'];
  return <span className={`badge ${tone}`} data-testid="connection-status" data-status={c.connection ? s : 'none'}><span aria-hidden>{icon}</span>{label}</span>;
}

function ApiKeyForm(p: { customerId: string; connector: ConnectorView; option: ApiKeyOption; baseUrl: string; onDone: (test: ConnectionTestResult | null) => void }) {
  const { connector, option } = p;
  const [values, setValues] = useState<Record<string, string>>({});
  const connect = usePortalMutation(p.customerId, async () => {
    await portalApi.connect(p.customerId, connector.system, { authKind: 'apiKey', option: option.option, baseUrl: p.baseUrl, credentials: values });
    // Check the new credentials straight away: the customer learns now, not at the first call.
    return connector.canTest ? portalApi.test(p.customerId, connector.system) : null;
  });
  const fieldError = (id: string) => (connect.error?.path?.[0] === 'credentials' && connect.error.path[1] === id ? connect.error.message : null);
  return (
    <form
      className={styles.form}
      data-testid={`apikey-form-${option.option}`}
      onSubmit={(e) => { e.preventDefault(); connect.mutate(undefined, { onSuccess: (test) => { setValues({}); p.onDone(test); } }); }}
    >
      {option.fields.map((f) => {
        const long = /json/i.test(f.label);
        const err = fieldError(f.id);
        const id = `${connector.system}-${option.option}-${f.id}`;
        return (
          <label key={f.id} className="field" htmlFor={id}>
            <span>{f.label}{f.secret || /optional/i.test(f.label) ? '' : ' (optional)'}</span>
            {long
              ? <textarea id={id} className="textarea" rows={3} value={values[f.id] ?? ''} onChange={(e) => setValues({ ...values, [f.id]: e.target.value })} data-testid={`field-${f.id}`} />
              : <input id={id} className="input" type={f.secret ? 'password' : 'text'} autoComplete="off" spellCheck={false} value={values[f.id] ?? ''}
                  onChange={(e) => setValues({ ...values, [f.id]: e.target.value })} data-testid={`field-${f.id}`} aria-invalid={!!err} />}
            {err && <span className="field-error">{err}</span>}
          </label>
        );
      })}
      {option.help && <p className="field-hint">{option.help}</p>}
      {connect.error && !fieldError(String(connect.error.path?.[1] ?? '')) && <p className="notice notice-err" role="alert">{connect.error.message}</p>}
      <div className={styles.actions}>
        <button type="submit" className="btn btn-primary" disabled={connect.isPending} data-testid="connect-submit">{connect.isPending ? 'Connecting…' : 'Connect'}</button>
      </div>
    </form>
  );
}

function OAuthButton(p: { customerId: string; connector: ConnectorView; option: OAuthOption; baseUrl: string }) {
  const start = usePortalMutation(p.customerId, () => portalApi.oauthStart(p.customerId, p.connector.system, p.baseUrl));
  if (!p.option.available) return <p className="field-hint" data-testid="oauth-unavailable">{p.option.unavailableReason}</p>;
  return (
    <div className={styles.form}>
      <button type="button" className="btn btn-primary" disabled={start.isPending || start.isSuccess} data-testid="oauth-connect"
        onClick={() => start.mutate(undefined, { onSuccess: ({ authorizeUrl }) => window.location.assign(authorizeUrl) })}>
        {start.isPending || start.isSuccess ? `Opening ${p.connector.name}…` : 'Connect with OAuth'}
      </button>
      {start.error && <p className="notice notice-err" role="alert">{start.error.message}</p>}
      <p className="field-hint">You sign in at {p.connector.name} and allow Patchbay access; then you come back here.</p>
    </div>
  );
}

export function ConnectorCard({ customerId, connector }: { customerId: string; connector: ConnectorView }) {
  const conn = connector.connection;
  const [editing, setEditing] = useState(!conn);
  const [baseUrl, setBaseUrl] = useState(conn?.baseUrl ?? connector.suggestedBaseUrl);
  const apiKeyOptions = connector.auth.filter((a): a is ApiKeyOption => a.type === 'apiKey');
  const oauth = connector.auth.find((a): a is OAuthOption => a.type === 'oauth2');
  const [method, setMethod] = useState<number>(connector.auth[0]?.option ?? 0);
  const [lastTest, setLastTest] = useState<ConnectionTestResult | null>(null);
  const [confirming, setConfirming] = useState(false);
  const test = usePortalMutation(customerId, () => portalApi.test(customerId, connector.system));
  const remove = usePortalMutation(customerId, () => portalApi.disconnect(customerId, connector.system));
  const chosen = connector.auth.find((a) => a.option === method) ?? connector.auth[0];
  const showForm = editing || !conn;

  // Several API-key forms are told apart by what they ask for ("API token" / "API user + API password").
  const methodLabel = (a: AuthOptionView) => (a.type === 'oauth2' ? 'OAuth'
    : apiKeyOptions.length > 1 ? a.fields.filter((f) => !/json/i.test(f.label)).map((f) => f.label).join(' + ') : a.fields.find((f) => f.secret)?.label ?? 'API key');

  return (
    <section className={`card ${styles.card}`} data-testid={`connector-${connector.system}`} aria-labelledby={`${connector.system}-title`}>
      <header className={styles.cardHead}>
        <h2 id={`${connector.system}-title`}>{connector.name}</h2>
        <HealthBadge c={connector} />
      </header>

      {conn && (
        <dl className={styles.facts}>
          <dt>Connected with</dt><dd>{conn.authKind === 'oauth2' ? 'OAuth' : 'API key'}</dd>
          <dt>Base URL</dt><dd className="mono">{conn.baseUrl}</dd>
          <dt>Last successful call</dt><dd data-testid="last-success">{conn.lastSuccessAt ? <RelativeTime iso={conn.lastSuccessAt} /> : 'none yet'}</dd>
          {conn.lastError && (conn.status === 'error' || !conn.lastSuccessAt || (conn.lastErrorAt && conn.lastErrorAt > conn.lastSuccessAt)) && (
            <><dt>Last error</dt><dd className={styles.error} data-testid="connection-error">{conn.lastError}{conn.lastErrorAt && <> · <RelativeTime iso={conn.lastErrorAt} /></>}</dd></>
          )}
        </dl>
      )}

      {lastTest && (
        <p className={`notice ${lastTest.ok ? 'notice-info' : 'notice-err'}`} role="status" data-testid="test-result">
          {lastTest.ok ? `Connection works${lastTest.account ? ` — ${lastTest.account}` : ''}.` : lastTest.error}
        </p>
      )}
      {(test.error || remove.error) && <p className="notice notice-err" role="alert">{(test.error ?? remove.error)!.message}</p>}

      {conn && (
        <div className={styles.actions}>
          {connector.canTest && (
            <button type="button" className="btn" disabled={test.isPending} onClick={() => test.mutate(undefined, { onSuccess: setLastTest })} data-testid="test-connection">
              {test.isPending ? 'Testing…' : 'Test connection'}
            </button>
          )}
          <button type="button" className="btn" onClick={() => setEditing(!editing)} aria-expanded={editing} data-testid="reconnect">{editing ? 'Cancel' : 'Reconnect'}</button>
          <button type="button" className="btn btn-ghost" onClick={() => setConfirming(true)} data-testid="disconnect">Disconnect</button>
        </div>
      )}

      {showForm && (
        <div className={styles.connect} data-testid="connect-panel">
          <div className="field">
            <label className="field-label" htmlFor={`${connector.system}-base-url`}>Base URL</label>
            <input id={`${connector.system}-base-url`} className="input mono" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} spellCheck={false} data-testid="base-url" />
            <p className="field-hint" style={{ margin: 0 }}>
              {baseUrl === connector.defaultBaseUrl ? `${connector.name}'s own address.` : `${connector.name}'s own address is ${connector.defaultBaseUrl}; this one is used instead (a local emulator in the demo).`}
            </p>
          </div>
          {connector.auth.length > 1 && (
            <div className={styles.methods} role="radiogroup" aria-label="How to connect">
              {connector.auth.map((a) => (
                <label key={a.option} className={styles.method}>
                  <input type="radio" name={`${connector.system}-method`} checked={method === a.option} onChange={() => setMethod(a.option)} data-testid={`method-${a.type}-${a.option}`} />
                  {methodLabel(a)}
                </label>
              ))}
            </div>
          )}
          {chosen?.type === 'apiKey' && (
            <ApiKeyForm key={chosen.option} customerId={customerId} connector={connector} option={chosen} baseUrl={baseUrl} onDone={(t) => { setLastTest(t); setEditing(false); }} />
          )}
          {chosen?.type === 'oauth2' && oauth && <OAuthButton customerId={customerId} connector={connector} option={chosen} baseUrl={baseUrl} />}
        </div>
      )}

      <ConfirmDialog
        open={confirming}
        title={`Disconnect ${connector.name}?`}
        confirmLabel="Disconnect"
        danger
        busy={remove.isPending}
        error={remove.error?.message ?? null}
        onCancel={() => setConfirming(false)}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => { setConfirming(false); setLastTest(null); setEditing(true); setBaseUrl(connector.suggestedBaseUrl); } })}
      >
        Automations that use {connector.name} stop working until you connect it again. The stored credentials are deleted.
      </ConfirmDialog>
    </section>
  );
}
