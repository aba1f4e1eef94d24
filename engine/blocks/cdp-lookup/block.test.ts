// cdp.lookup: a number several contacts share answers the one CALLER_MATCH_RULE picks, and the step shows how many
// matched and the rule; a single match shows no rule; no number takes the notFound branch.
import { describe, expect, it } from 'vitest';
import { CALLER_MATCH_RULE, type UnifiedContact } from '../../core/contact';
import { createMemoryCdp } from '../../testing/memory-cdp';
import { cdpLookup } from './block';

const contact = (source: string, externalId: string, updatedAt: string): UnifiedContact => ({ source, externalId, kind: 'person', custom: {}, firstName: externalId, phones: ['(415) 555-0177'], updatedAt });

const io = { trigger: {}, nodeId: 'lookup' };

describe('cdp.lookup', () => {
  it('the cdp.lookup step shows the count and the rule when several match', async () => {
    const cdp = createMemoryCdp('US');
    await cdp.upsert([contact('demo-crm', '1', '2026-01-01T00:00:00Z'), contact('hubspot', '2', '2026-02-01T00:00:00Z')]);
    const ctx = { cdp, customer: { id: 'c', defaultCountry: 'US' } } as unknown as Parameters<typeof cdpLookup.run>[0];
    const out = await cdpLookup.run(ctx, { phone: '415 555 0177' }, io);
    expect(out).toMatchObject({ port: 'found', output: { found: true, matches: 2, chosenBy: CALLER_MATCH_RULE, contact: { source: 'hubspot', externalId: '2' } } });
    expect(out.output.contact).not.toHaveProperty('matches');
    await cdp.delete('demo-crm', ['1']);
    const one = await cdpLookup.run(ctx, { phone: '415 555 0177' }, io);
    expect(one.output).toMatchObject({ matches: 1 });
    expect(one.output).not.toHaveProperty('chosenBy');
  });

  it('no number takes the notFound branch without asking the CDP', async () => {
    const ctx = { cdp: { lookupByPhone: () => { throw new Error('asked'); } }, customer: { id: 'c', defaultCountry: 'US' } } as unknown as Parameters<typeof cdpLookup.run>[0];
    expect(await cdpLookup.run(ctx, { phone: null }, io)).toEqual({ output: { found: false, phone: null, contact: null }, port: 'notFound' });
  });
});
