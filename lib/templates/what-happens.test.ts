// "What will happen" says what the options chose, the same on the server and in the portal (one module).
import { describe, expect, it } from 'vitest';
import { systemOptionKeys } from './needed-systems';
import { describeAutomations } from './what-happens';

const names: Record<string, string> = { hubspot: 'HubSpot', dropbox: 'Dropbox', gdrive: 'Google Drive' };
const name = (s: string) => names[s] ?? s;
// Call logging's options and connections as the playbook declares them: crm and recordingStorage name systems.
const systems = systemOptionKeys(['crm', 'options.recordingStorage if options.storeRecordings'], [{ key: 'crm', type: 'crm' }, { key: 'recordingStorage', type: 'choice' }, { key: 'storeRecordings', type: 'boolean' }]);

describe('describeAutomations', () => {
  it('names the CRM and, while recordings are stored, the storage they go to first', () => {
    const [stored] = describeAutomations([{ automation: 'call_logging' }], { crm: 'hubspot', delayMinutes: 5, storeRecordings: true, recordingStorage: 'gdrive' }, name, systems);
    expect(stored).toBe('Every call is logged in HubSpot about 5 minutes after it ends; its recording is stored in Google Drive first and linked in the log.');
    const [linked] = describeAutomations([{ automation: 'call_logging' }], { crm: 'hubspot', delayMinutes: 5, storeRecordings: false, recordingStorage: 'gdrive' }, name, systems);
    expect(linked).toBe('Every call is logged in HubSpot about 5 minutes after it ends (with a link to its recording when there is one).');
  });

  it('says "…" for an option not set yet, and names a flow it has no words for', () => {
    expect(describeAutomations([{ automation: 'call_routing' }, { automation: 'custom_thing', flowName: 'My flow' }], {}, name, systems)).toEqual([
      'Each call is routed by your routing rules (VIP, tier, language, open invoice, owner); callers no rule matches go to ….',
      'The automation "custom_thing" (My flow) runs for you.',
    ]);
  });
});
