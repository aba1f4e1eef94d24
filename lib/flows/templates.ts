// Flows to start from in the New-flow dialog: the playbook's automations, each runnable at once on the demo data.
// Pure data (the engine's fixture flows), for the UI and the server alike.
import type { FlowInput } from '@/engine';
import callRouting from '@/engine/fixtures/call-routing.flow.json';
import callerLookup from '@/engine/fixtures/caller-lookup.flow.json';
import contactSync from '@/engine/fixtures/contact-sync.flow.json';
import missedCallTask from '@/engine/fixtures/missed-call-task.flow.json';
import slackAgentStatus from '@/engine/fixtures/slack-agent-status.flow.json';
import slackCallerCard from '@/engine/fixtures/slack-caller-card.flow.json';
import userProvisioning from '@/engine/fixtures/user-provisioning.flow.json';
import { newFlowDefinition } from './new-flow';

export interface FlowTemplate {
  id: string;
  title: string;
  /** One line: what it does and what it needs. */
  summary: string;
  /** The automation name it answers to by default. */
  automation: string;
  definition(p: { name: string; automation: string }): FlowInput;
}

const fromFixture = (fixture: unknown) => (p: { name: string; automation: string }): FlowInput =>
  ({ ...(structuredClone(fixture) as FlowInput), name: p.name, automation: p.automation });

export const FLOW_TEMPLATES: FlowTemplate[] = [
  { id: 'blank', title: 'Blank', summary: 'Only the webhook trigger: build it yourself.', automation: 'my_automation', definition: (p) => newFlowDefinition(p) },
  { id: 'caller_lookup', title: 'Caller lookup', summary: 'Phone in, caller out, from the CDP (try it on the demo customer with +1 415 200 0007).', automation: 'caller_lookup', definition: fromFixture(callerLookup) },
  { id: 'call_routing', title: 'Call routing', summary: 'Answers a ringing call with where it goes: CDP (and optionally live CRM) lookup, then ordered rules (VIP, language, open invoice, owner, else the default queue); the fallback queue when a step is slow or fails (800 ms deadline).', automation: 'call_routing', definition: fromFixture(callRouting) },
  { id: 'missed_call_task', title: 'Missed-call task', summary: 'After a missed call, a call-back task in HubSpot (answers why not when HubSpot is not connected).', automation: 'missed_call_task', definition: fromFixture(missedCallTask) },
  { id: 'slack_caller_card', title: 'Slack caller card', summary: 'A call from a known customer rings: a caller card with a CRM link in a Slack channel or the agent\'s DM, once per call (needs Slack connected).', automation: 'call_ringing', definition: fromFixture(slackCallerCard) },
  { id: 'slack_agent_status', title: 'Slack agent status', summary: 'The agent\'s Slack status says "On a call" while a call is answered and is cleared when it ends (needs Slack installed by an admin).', automation: 'call_answered', definition: fromFixture(slackAgentStatus) },
  { id: 'user_provisioning', title: 'User provisioning', summary: 'Creates, updates and deactivates the phone system\'s users from the CRM\'s users (or a CSV / directory URL) daily; starts as a dry run that lists the changes.', automation: 'user_provisioning', definition: fromFixture(userProvisioning) },
  { id: 'contact_sync', title: 'Contact sync', summary: 'Starts the durable CRM → CDP and phonebook sync and sets its schedule (options: crm, destinations).', automation: 'contact_sync', definition: fromFixture(contactSync) },
];

export const findTemplate = (id: string) => FLOW_TEMPLATES.find((t) => t.id === id);

/** `base`, else `base_2`, `base_3` …: the first name not in `taken` (what the New-flow dialog suggests). */
export function suggestAutomationName(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  const stem = base.replace(/_\d+$/, '').slice(0, 58);
  for (let i = 2; ; i++) if (!used.has(`${stem}_${i}`)) return `${stem}_${i}`;
}
