import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runLog, useJsonLogs, usePlainLogs } from './log';

afterEach(() => usePlainLogs());

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  let out = '';
  const stream = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
  return { stream, lines: () => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

describe('PATCHBAY_LOG_FORMAT=json', () => {
  it('writes one JSON object per line; lines about a run carry its id, automation and customer', () => {
    const { stream, lines } = capture();
    useJsonLogs(stream);
    runLog('warn', 'run failed: lookup_failed', { runId: '0190-run', automation: 'caller_lookup', customerId: 'cust-1' }, { nodeId: 'lookup' });
    console.log('[patchbay] Ready on http://127.0.0.1:3000');
    console.error('[patchbay] writing run records failed, will retry:', 'connection refused');
    const [run, ready, err] = lines();
    expect(run).toMatchObject({ level: 'warn', msg: 'run failed: lookup_failed', runId: '0190-run', automation: 'caller_lookup', customerId: 'cust-1', data: { nodeId: 'lookup' } });
    expect(typeof run.time).toBe('string');
    expect(ready).toMatchObject({ level: 'info', msg: 'Ready on http://127.0.0.1:3000' });
    expect(err).toMatchObject({ level: 'error', msg: 'writing run records failed, will retry: connection refused' });
  });

  it('plain text by default: run lines as before, info about runs not printed', () => {
    const { stream, lines } = capture();
    const seen: string[] = [];
    const warn = console.warn;
    console.warn = (...a: unknown[]) => { seen.push(a.join(' ')); };
    try {
      runLog('warn', 'slow CRM', { runId: 'r1', automation: 'a', customerId: null });
      runLog('info', 'ok', { runId: 'r1', automation: 'a', customerId: null });
    } finally { console.warn = warn; }
    expect(seen).toEqual(['[run r1] slow CRM ']);
    expect(stream.writableLength + lines().length).toBe(0);
  });
});
