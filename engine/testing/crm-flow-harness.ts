// For the per-CRM call-logging flow tests (engine/connectors/crm-flow-*.test.ts): runs crmCallLoggingFlow for one
// answered or missed call, delivering the same webhook twice, and checks what every CRM must do alike — the run
// succeeds through lookup → log → respond, the re-delivery finds the first log instead of writing a second, and the
// response names the caller. Each test file then asserts the CRM's native records.
import { expect } from 'vitest';
import type { SyntheticPerson } from '../connectors/kit/synthetic';
import { crmCallLoggingFlow } from './crm-call-flow';
import { runFixture } from './run-fixture';

export type CallOutcome = 'answered' | 'missed';
type Connections = Record<string, { id: string; system: string; baseUrl: string; credentials: Record<string, unknown> }>;

/**
 * `callTag` ends each call id (pbx-answered-<tag>, pbx-missed-<tag>); `loggedType`, when given, is the record type
 * the response must name (a CRM that logs calls as notes says "note").
 */
export function callLoggingRunner(o: { caller: SyntheticPerson; callTag: string; loggedType?: string }) {
  const trigger = (status: CallOutcome, agentEmail: string) => ({
    callId: `pbx-${status}-${o.callTag}`, from: o.caller.e164, to: '+14155550100', status, agentEmail,
    startedAt: '2026-03-02T09:30:00Z', endedAt: status === 'answered' ? '2026-03-02T09:32:15Z' : '2026-03-02T09:30:20Z', notes: `The ${status} call`,
  });

  /** Runs the flow twice for the same call; returns the id of the one record logged. */
  return async function runTwice(crm: string, connections: Connections, status: CallOutcome, agentEmail: string): Promise<string> {
    let body: { logged: { system: string; id: string; type: string }; contact: string } | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await runFixture(crmCallLoggingFlow, trigger(status, agentEmail), { options: { crm }, connections });
      expect(r.status, `${crm}: ${JSON.stringify(r.error)}`).toBe('succeeded');
      expect(r.steps.map((s) => s.nodeId)).toEqual(['trigger', 'lookup', 'log', 'done']);
      const next = r.response!.body as NonNullable<typeof body>;
      if (body) expect(next.logged.id).toBe(body.logged.id);
      body = next;
    }
    const logged = o.loggedType ? { system: crm, type: o.loggedType } : { system: crm };
    expect(body).toMatchObject({ logged, contact: `${o.caller.firstName} ${o.caller.lastName}` });
    return body!.logged.id;
  };
}
