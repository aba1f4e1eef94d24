// Reading a call's session (call_sessions) and waiting for it to settle, for the API tests that place calls through
// the phone-system emulator: the server handles the webhooks durably, so a test polls until what it waits for is
// stored and every run the call started has finished.
import { expect } from 'vitest';
import { db } from './helpers';

export interface CallSession { state: string; call: any; events: any[]; records: any; run_ids: string[] }

export async function callSession(customerId: string, callId: string): Promise<CallSession | undefined> {
  const [s] = await db()`select state, call, events, records, run_ids from call_sessions where customer_id = ${customerId} and call_id = ${callId}`;
  return s as CallSession | undefined;
}

/**
 * Polls until `until` holds for the call's session and every run the call started has finished; a failed run fails
 * the test. On timeout the error carries the session and its runs' steps, to see where the call stopped.
 */
export async function settledCall(customerId: string, callId: string, until: (s: CallSession) => boolean, o: { timeoutMs?: number; pollMs?: number } = {}): Promise<CallSession> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const t0 = Date.now();
  for (;;) {
    const s = await callSession(customerId, callId);
    if (s && until(s)) {
      const runs = await db()`select status, error from runs where id = any(${s.run_ids}::uuid[])`;
      if (runs.every((r) => r.status === 'succeeded' || r.status === 'failed')) {
        expect(runs.filter((r) => r.status === 'failed')).toEqual([]);
        return s;
      }
    }
    if (Date.now() - t0 > timeoutMs) {
      const runs = s ? await db()`select id, automation, status, error, steps from runs where id = any(${s.run_ids}::uuid[])` : [];
      throw new Error(`call ${callId} did not settle: ${JSON.stringify({ s, runs }).slice(0, 3000)}`);
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
  }
}
