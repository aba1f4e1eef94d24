// The playbook's templates, ready for every new vendor (the demo seed creates them): caller ID + contact sync,
// call logging, call routing, missed-call tasks, Slack notifications. Each is made from the engine's fixture flows (created and
// published when the vendor has no flow of that automation yet) and published at version 1.
import type postgres from 'postgres';
import { callLoggingFlow, slackAgentStatusFlow, slackCallerCardFlow } from '@/engine';
import { freeAutomationName, getFlow, publishFlow, saveFlowVersion } from '../flows/flows';
import { findTemplate } from '../flows/templates';
import type { OptionField } from './template-definition';
import { createTemplate, getTemplateBySlug, type TemplateInput } from './templates';

const crmOption: OptionField = { key: 'crm', label: 'Your CRM', help: 'The CRM these automations read and write.', type: 'crm', default: 'hubspot', required: true };

interface PlaybookTemplate { slug: string; automations: string[]; input: Omit<TemplateInput, 'flows'> }

export const PLAYBOOK_TEMPLATES: PlaybookTemplate[] = [
  {
    slug: 'caller_id',
    automations: ['contact_sync', 'caller_lookup'],
    input: {
      name: 'Caller ID + contact sync', icon: 'user-search',
      description: 'Your phone system shows who is calling, from your CRM contacts: they are copied into Patchbay and kept in step.',
      connections: ['crm'],
      options: [
        crmOption,
        { key: 'incrementalEveryMinutes', label: 'Check the CRM for changes every (minutes)', type: 'integer', min: 5, max: 1440, default: 15, required: true },
        { key: 'destinations', label: 'Copy contacts to', type: 'multiChoice', choices: [{ value: 'cdp', label: 'Caller ID (Patchbay)' }, { value: 'phonebook', label: 'The phone system\'s phonebook' }], default: ['cdp'], required: true },
        { key: 'fullEveryHours', label: 'Full comparison (finds deleted contacts) every (hours)', type: 'integer', min: 1, max: 720, default: 24, required: true },
      ],
    },
  },
  {
    slug: 'call_logging',
    automations: ['call_logging'],
    input: {
      name: 'Call logging', icon: 'phone-call',
      description: 'Every call is logged in your CRM on the contact, with its recording; missed calls become call-back tasks.',
      connections: ['crm', 'options.recordingStorage if options.storeRecordings'],
      options: [
        crmOption,
        { key: 'delayMinutes', label: 'Log the call after (minutes)', help: 'Waits for the recording up to this long.', type: 'integer', min: 0, max: 120, default: 10, required: true },
        { key: 'missedCallTask', label: 'Create a call-back task for missed calls', type: 'boolean', default: true, required: true },
        { key: 'createUnknownContacts', label: 'Create a contact for unknown callers', type: 'boolean', default: false, required: true },
        { key: 'storeRecordings', label: 'Store recordings in your storage', help: 'The CRM log links the stored copy. Needs the storage below connected.', type: 'boolean', default: false, required: true },
        {
          key: 'recordingStorage', label: 'Store recordings in', type: 'choice', default: 's3', required: true,
          choices: [{ value: 's3', label: 'S3 (or S3-compatible) bucket' }, { value: 'dropbox', label: 'Dropbox' }, { value: 'gdrive', label: 'Google Drive' }, { value: 'box', label: 'Box' }, { value: 'onedrive', label: 'OneDrive / SharePoint' }],
        },
        {
          key: 'recordingLinkScope', label: 'Who may open a recording\'s link', help: 'Dropbox, Google Drive, Box and OneDrive (S3 links are pre-signed).', type: 'choice', default: 'anyone', required: true,
          choices: [{ value: 'anyone', label: 'Anyone with the link' }, { value: 'organization', label: 'People in your organisation' }],
        },
      ],
    },
  },
  {
    slug: 'call_routing',
    automations: ['call_routing'],
    input: {
      name: 'Call routing', icon: 'git-branch',
      description: 'Routes each call by who is calling (VIP tag, tier, language, open invoice, owner in your contacts); everyone else reaches your main queue.',
      connections: [],
      options: [
        { key: 'defaultQueue', label: 'Queue for callers no rule matches', type: 'string', default: 'main-queue', required: true },
        { key: 'liveCrm', label: 'Also look the caller up live in your CRM', help: 'Slower; your synced contacts are used either way.', type: 'boolean', default: false, required: true },
        { ...crmOption, help: 'Used for the live lookup.' },
      ],
    },
  },
  {
    slug: 'slack_notifications',
    automations: ['call_ringing', 'call_answered'],
    input: {
      name: 'Slack notifications', icon: 'message-square',
      description: 'A caller card in Slack when a call rings, and the agent\'s Slack status while they are on a call.',
      connections: ['slack'],
      options: [
        { key: 'notify', label: 'Post caller cards', type: 'choice', choices: [{ value: 'channel', label: 'in a channel' }, { value: 'agent', label: 'to the agent the call rings at' }], default: 'channel', required: true },
        { key: 'slackChannel', label: 'Channel for caller cards', type: 'string', default: '#calls', required: true },
        { key: 'statusText', label: 'Slack status during a call', type: 'string', default: 'On a call', required: true },
      ],
    },
  },
  {
    slug: 'missed_call_task',
    automations: ['missed_call_task'],
    input: {
      name: 'Missed-call tasks', icon: 'phone-missed',
      description: 'After a missed call, a call-back task for the caller in HubSpot.',
      connections: ['hubspot'],
      options: [],
    },
  },
];

/** Fixture flows the New-flow dialog does not offer. */
const FIXTURES: Record<string, object> = { call_logging: callLoggingFlow, call_ringing: slackCallerCardFlow, call_answered: slackAgentStatusFlow };

/** The vendor's flow answering to `automation`, else one made from the fixture and published. */
async function ensureFlow(sql: postgres.Sql, vendorId: string, automation: string): Promise<string> {
  const [row] = await sql<{ id: string; published_version: number | null; latest_version: number }[]>`
    select id, published_version, latest_version from flows where vendor_id = ${vendorId} and automation = ${automation} and deleted_at is null`;
  if (row) {
    if (row.published_version == null) await publishFlow(sql, vendorId, row.id, row.latest_version);
    return row.id;
  }
  const fixture = findTemplate(automation);
  const name = await freeAutomationName(sql, vendorId, automation);
  const definition = fixture ? fixture.definition({ name: fixture.title, automation: name })
    : automation in FIXTURES ? { ...structuredClone(FIXTURES[automation]), automation: name } : null;
  if (!definition) throw new Error(`No fixture flow for "${automation}"`);
  const saved = await saveFlowVersion(sql, { vendorId, definition, message: 'Playbook template' });
  await publishFlow(sql, vendorId, saved.flowId, saved.version);
  return saved.flowId;
}

/** Creates the playbook templates the vendor does not have yet (by slug), published at version 1. */
export async function seedPlaybookTemplates(sql: postgres.Sql, vendorId: string): Promise<string[]> {
  const created: string[] = [];
  for (const t of PLAYBOOK_TEMPLATES) {
    if (await getTemplateBySlug(sql, vendorId, t.slug)) continue;
    const flows: TemplateInput['flows'] = [];
    for (const a of t.automations) {
      const flowId = await ensureFlow(sql, vendorId, a);
      const flow = await getFlow(sql, vendorId, flowId);
      flows.push({ flowId, version: flow!.publishedVersion });
    }
    await createTemplate(sql, { vendorId, slug: t.slug, input: { ...t.input, flows }, message: 'Playbook template', publish: true });
    created.push(t.slug);
  }
  return created;
}
