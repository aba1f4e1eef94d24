import { describe, expect, it } from 'vitest';
import { createMemoryCdp } from '../../testing/memory-cdp';
import { createTestContext } from '../../testing/run-fixture';
import { cdpDelete } from '../cdp-delete/block';
import { cdpUpsert } from './block';

const input = { trigger: {}, nodeId: 'n1' };
const ada = { source: 'hubspot', externalId: '1', kind: 'person' as const, firstName: 'Ada', lastName: 'Lovelace', phones: ['020 7946 0000'], country: 'GB', custom: {} };

describe('cdp.upsert / cdp.delete', () => {
  it('writes new contacts, normalises numbers, and writes nothing for an unchanged one', async () => {
    const cdp = createMemoryCdp('US');
    const ctx = createTestContext({ cdp });
    const params = cdpUpsert.params.parse({ contacts: [ada] });
    expect((await cdpUpsert.run(ctx, params, input)).output).toEqual({ inserted: 1, updated: 0, unchanged: 0, rejected: [] });
    expect(cdp.contacts.get('hubspot\u00001')?.phones).toEqual(['+442079460000']);
    expect((await cdpUpsert.run(ctx, params, input)).output).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
  });

  it('reports an invalid number instead of dropping it silently', async () => {
    const ctx = createTestContext({ cdp: createMemoryCdp('US') });
    const out = await cdpUpsert.run(ctx, cdpUpsert.params.parse({ contacts: [{ ...ada, externalId: '2', phones: ['12'] }] }), input);
    expect(out.output.rejected).toEqual([{ externalId: '2', reason: expect.stringContaining('12') }]);
  });

  it('deletes by source and external id', async () => {
    const cdp = createMemoryCdp('US');
    const ctx = createTestContext({ cdp });
    await cdp.upsert([cdpUpsert.params.parse({ contacts: [ada] }).contacts![0]]);
    expect((await cdpDelete.run(ctx, { source: 'hubspot', externalIds: ['1', 'nope'] }, input)).output).toEqual({ deleted: 1 });
    expect(cdp.contacts.size).toBe(0);
  });
});
