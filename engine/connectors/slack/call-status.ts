// The agent's Slack status follows the call: "On a call" once the call is answered, cleared when it is over. It is
// driven by the call session (the phone system's events folded into one record): `phase: auto` sets the status
// while the session says answered/transferred and clears it once the call ended. Once per call: what was done is
// kept on the session (role `slack:status`) and a later run (a re-delivered event, a retried run) does not repeat
// it; a status is never set again once cleared, and is cleared only when it is still the one set here (an agent
// who changed it meanwhile keeps theirs). A crash between Slack's answer and the bookkeeping repeats the same
// users.profile.set, which changes nothing. The status expires by itself after `maxMinutes` should the end of the
// call never be reported.
import { z } from 'zod';
import { isTerminal, type CallSessionPort, type CallSessionView } from '../../core/call-session';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { slackCallOf } from './find-user-by-email';
import { emojiSchema, getSlackStatus, setSlackStatus, slackUserId } from './set-status';

interface StatusRecord { user: string; text: string; emoji: string; settingAt?: string; setAt?: string; clearedAt?: string }
const ROLE = 'slack:status';

const isLive = (s: CallSessionView | null) => !!s && (s.state === 'answered' || s.state === 'transferred');

export const callStatusBlock = defineBlock({
  id: 'slack.callStatus',
  effect: { what: 'Set or clear the agent\'s Slack status for the call' },
  version: 1,
  title: 'Slack: agent status follows the call',
  description: 'Sets the agent\'s Slack status (e.g. "On a call") while the call is answered and clears it when the call ends, once per call, from the call session.',
  category: 'Messaging',
  icon: 'phone',
  connector: 'slack',
  params: z.object({
    callId: z.string().min(1).max(200).describe('=trigger.callId'),
    agent: z.string().max(320).nullish().describe('Member id or e-mail; default: the call\'s agent e-mail'),
    phase: z.enum(['auto', 'set', 'clear']).default('auto').describe('auto: from the call\'s state; set/clear: force one'),
    text: z.string().min(1).max(100).default('On a call'),
    emoji: emojiSchema.default(':telephone_receiver:'),
    maxMinutes: z.number().int().min(1).max(24 * 60).default(240).describe('The status expires by itself after this long'),
  }),
  output: z.object({ action: z.enum(['set', 'cleared', 'unchanged', 'skipped']), user: z.string().nullable(), reason: z.string().nullable() }),
  ports: OUT_PORT,
  summarize: (p) => `${String(p.phase ?? 'auto')}: ${String(p.text ?? 'On a call')}`,
  async run(ctx, p) {
    if (!ctx.calls) throw new PatchbayError('block_failed', 'The agent status follows call sessions: it needs the Patchbay server (no database here)');
    const calls = ctx.calls;
    const session = await calls.get(p.callId);
    const prior = session?.records[ROLE] as StatusRecord | undefined;
    const phase = p.phase === 'auto' ? (session && isTerminal(session.state) ? 'clear' : isLive(session) ? 'set' : null) : p.phase;
    if (!phase) return { output: { action: 'skipped' as const, user: null, reason: `the call is ${session?.state ?? 'unknown'}` } };
    const call = slackCallOf(ctx, await ctx.connections.get('slack'));

    if (phase === 'clear') return { output: await clear(call, calls, p.callId, prior) };

    if (prior) return { output: { action: 'unchanged' as const, user: prior.user, reason: prior.clearedAt ? 'already cleared for this call' : 'already set for this call' } };
    const email = p.agent ?? session?.call.agentEmail;
    if (!email) return { output: { action: 'skipped' as const, user: null, reason: 'the call names no agent' } };
    let user: string;
    try { user = await slackUserId(call, email); } catch (err) {
      // An agent without a Slack account is not an error of the call.
      if (err instanceof PatchbayError && err.code === 'not_found') return { output: { action: 'skipped' as const, user: null, reason: err.message } };
      throw err;
    }
    // Reserved before Slack is asked: a clear that comes meanwhile (or after a crash here) knows there may be a status to clear.
    const rec: StatusRecord = { user, text: p.text, emoji: p.emoji, settingAt: new Date().toISOString() };
    await calls.saveRecord(p.callId, ROLE, rec);
    await setSlackStatus(call, user, { text: p.text, emoji: p.emoji, expiration: Math.floor(ctx.clock.now().getTime() / 1000) + p.maxMinutes * 60 });
    await calls.saveRecord(p.callId, ROLE, { ...rec, setAt: new Date().toISOString() });
    // The call may have ended while the status was being set (its clearing run found nothing set yet): clear now.
    const now = await calls.get(p.callId);
    if (now && isTerminal(now.state)) {
      const out = await clear(call, calls, p.callId, (now.records[ROLE] as StatusRecord | undefined) ?? rec);
      return { output: { ...out, reason: 'the call ended while its status was being set' } };
    }
    return { output: { action: 'set' as const, user, reason: null } };
  },
});

async function clear(call: ConnectorCall, calls: CallSessionPort, callId: string, prior: StatusRecord | undefined) {
  if (!prior) return { action: 'skipped' as const, user: null, reason: 'no status was set for this call' };
  if (prior.clearedAt) return { action: 'unchanged' as const, user: prior.user, reason: 'already cleared for this call' };
  const current = await getSlackStatus(call, prior.user);
  const ours = current.text === prior.text && current.emoji === prior.emoji;
  // Reserved but not (yet) set: the run setting it sees the call over afterwards and clears it itself.
  if (!ours && !prior.setAt) return { action: 'skipped' as const, user: prior.user, reason: 'the status is still being set; the run setting it clears it' };
  if (ours) await setSlackStatus(call, prior.user, { text: '', emoji: '', expiration: 0 });
  await calls.saveRecord(callId, ROLE, { ...prior, clearedAt: new Date().toISOString() });
  return ours
    ? { action: 'cleared' as const, user: prior.user, reason: null }
    : { action: 'unchanged' as const, user: prior.user, reason: 'the member changed their status during the call: left as it is' };
}
