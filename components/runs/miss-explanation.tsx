// "Why no match" on the run page: how the number was read, the customer's stored numbers closest to it and
// rejected numbers that resemble it (lib/cdp/explain-miss.ts computes it when a caller lookup finds nobody).
import type { MissExplanationWire } from '@/lib/staff-api/contract';
import styles from './run-view.module.css';

export function MissExplanation({ x }: { x: MissExplanationWire }) {
  const n = x.number;
  return (
    <section className={`card ${styles.timelineCard}`} aria-label="Why no match" data-testid="run-explanation">
      <h2>Why no match</h2>
      <p data-testid="run-explanation-summary">{x.summary}</p>
      {n && (
        <dl className={styles.meta}>
          <div><dt>Received</dt><dd className="mono">{n.raw || '—'}</dd></div>
          <div><dt>Country</dt><dd>{n.country ?? '—'}{n.countryAssumed ? ' (assumed: no country code)' : ''}</dd></div>
          <div><dt>Type</dt><dd>{n.type ? n.type.toLowerCase().replace(/_/g, ' ') : '—'}</dd></div>
          <div><dt>E.164 searched</dt><dd className="mono" data-testid="run-explanation-e164">{n.e164 ?? `not valid${n.reason ? `: ${n.reason}` : ''}`}</dd></div>
        </dl>
      )}
      {!!x.near?.length && (
        <>
          <h3 className={styles.subhead}>Closest stored numbers</h3>
          <ul data-testid="run-explanation-near">
            {x.near.map((m) => (
              <li key={`${m.contact.source}|${m.contact.externalId}|${m.e164}`}>
                <span className="mono">{m.e164}</span> — {m.contact.displayName} <span className="muted">({m.contact.source} {m.contact.externalId})</span>: {m.detail}
                {m.missingCountryCode && <> · stored as <span className="mono">{m.missingCountryCode.storedAs}</span> without a country code, read as {m.missingCountryCode.readIn ?? '?'}</>}
              </li>
            ))}
          </ul>
        </>
      )}
      {!!x.rejected?.length && (
        <>
          <h3 className={styles.subhead}>Rejected numbers that look like it</h3>
          <ul data-testid="run-explanation-rejected">
            {x.rejected.map((r) => (
              <li key={`${r.source}|${r.externalId}|${r.phone}`}>
                <span className="mono">{r.phone}</span> — {r.displayName ?? r.externalId} <span className="muted">({r.source ?? 'sync'} {r.externalId})</span>: {r.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      {x.skipped && <p className="muted">{x.skipped}</p>}
    </section>
  );
}
