// "What will happen" in plain words, one sentence per automation of a template with the customer's options filled in.
// Shared by the server (the enable answer, the template detail) and the portal's enable panel, which fills it in
// live as the customer changes options, so both say the same. No imports: the browser bundle takes it as is.

/** An option's value in words: a system id as the system's name, a list joined, a missing one as "…". */
type Value = (key: string) => string;

const WORDS: Record<string, (v: Value, options: Record<string, unknown>) => string> = {
  caller_lookup: () => 'When a call comes in, your phone system shows who is calling, from your synced contacts.',
  contact_sync: (v) => `Your contacts are copied from ${v('crm')} into Patchbay now, then kept in step every ${v('incrementalEveryMinutes')} minutes.`,
  call_logging: (v, o) => `Every call is logged in ${v('crm')} about ${v('delayMinutes')} minutes after it ends` + (o.storeRecordings === true
    ? `; its recording is stored in ${v('recordingStorage')} first and linked in the log.`
    : ' (with a link to its recording when there is one).'),
  call_routing: (v) => `Each call is routed by your routing rules (VIP, tier, language, open invoice, owner); callers no rule matches go to ${v('defaultQueue')}.`,
  call_ringing: (v) => `When a call rings, a caller card is posted in Slack (${v('slackChannel')}).`,
  call_answered: (v) => `While an agent is on a call, their Slack status says "${v('statusText')}".`,
  missed_call_task: () => 'A missed call becomes a call-back task in your CRM.',
};

/** `systemOptions`: the options whose value is a system id (needed-systems.ts systemOptionKeys), said by its name. */
export function describeAutomations(flows: { automation: string; flowName?: string }[], options: Record<string, unknown>, systemName: (system: string) => string, systemOptions: Set<string>): string[] {
  const v: Value = (k) => {
    const x = options[k];
    if (systemOptions.has(k) && typeof x === 'string' && x) return systemName(x);
    return x === undefined || x === null || x === '' ? '…' : Array.isArray(x) ? x.join(', ') : String(x);
  };
  return flows.map((f) => WORDS[f.automation]?.(v, options) ?? `The automation "${f.automation}" (${f.flowName ?? 'a flow'}) runs for you.`);
}
