// "Why no match" (lib/cdp/explain-miss.ts): a caller lookup that finds nobody records why, returned by
// GET /api/v1/runs/{id}: a number saved under the wrong country, a one-digit typo, an invalid stored number.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, db } from './helpers';

const uniq = Math.random().toString(36).slice(2, 8);
const cust = `why-${uniq}`;

const lookup = (phone: string) => api(`/api/v1/customers/${cust}/automations/caller_lookup`, { body: { phone } });

/** Looks the number up and reads the run until its explanation is there (it is written a few ms after the answer). */
async function explained(phone: string): Promise<any> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await lookup(phone);
    expect(r).toMatchObject({ status: 200, body: { found: false } });
    const runId = r.headers.get('x-patchbay-run-id')!;
    let run: any = null;
    for (let i = 0; i < 100; i++) {
      const g = await api(`/api/v1/runs/${runId}`);
      expect(g.status).toBe(200);
      if (g.body.explanation) { run = g.body; break; }
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(run, 'the run got an explanation').not.toBeNull();
    // When this second's search budget was spent (other tests' misses), the run still says how the number was read,
    // and the search runs when the run is read once it is stored.
    if (!run.explanation.skipped) return run.explanation;
    expect(run.explanation.number.raw).toBe(phone.trim());
    for (let i = 0; i < 100; i++) {
      const g = await api(`/api/v1/runs/${runId}`);
      if (!g.body.explanation.skipped) { expect(g.body.explanation.searchedAt).toBeTruthy(); return g.body.explanation; }
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  throw new Error('the close-number search never ran');
}

beforeAll(async () => {
  expect((await api('/api/v1/customers', { body: { externalId: cust, name: cust, defaultCountry: 'US' } })).status).toBe(201);
  const flows = await db()`select id from flows where automation = 'caller_lookup' order by created_at limit 1`;
  // Every run kept (the default policy keeps only a sample of successful lookups, and a miss is a successful run).
  expect((await api(`/api/v1/customers/${cust}/integrations`, { body: { flowId: flows[0].id, recording: { policy: 'all' } } })).status).toBe(200);
  const r = await api(`/api/v1/customers/${cust}/cdp/contacts`, { body: { contacts: [
    // Saved without a country code on a contact whose country is GB: stored as +44 20 7946 0123.
    { source: 'hubspot', externalId: 'w1', firstName: 'Winifred', lastName: 'Wrongcountry', phones: ['207 946 0123'], country: 'GB' },
    // The caller will ring from …5308: one digit off.
    { source: 'hubspot', externalId: 't1', firstName: 'Tommy', lastName: 'Typo', phones: ['+1 312 867 5309'] },
    // An area code starting with 1 does not exist: rejected when stored, the contact kept without it.
    { source: 'hubspot', externalId: 'i1', firstName: 'Ivy', lastName: 'Invalid', phones: ['(112) 555-7310', 'ivy@example.com'] },
  ] } });
  expect(r.status).toBe(200);
  expect(r.body.problems.map((p: any) => p.externalId)).toContain('i1');
});

describe('why no match', () => {
  it('a number saved under another country: the same national number under +44, stored without its country code', async () => {
    const x = await explained('(207) 946-0123');
    expect(x.number).toMatchObject({ raw: '(207) 946-0123', countryAssumed: 'US', country: 'US', e164: '+12079460123', valid: true, nationalNumber: '2079460123' });
    expect(x.number.type).toMatch(/FIXED_LINE|MOBILE/);
    expect(x.near[0]).toMatchObject({
      e164: '+442079460123', kind: 'other_country', contact: { source: 'hubspot', externalId: 'w1', displayName: 'Winifred Wrongcountry' },
      missingCountryCode: { storedAs: '207 946 0123', readIn: 'GB' },
    });
    expect(x.summary).toContain('+442079460123');
    expect(x.summary).toContain('without a country code');
  });

  it('a one-digit typo: the stored number one digit away', async () => {
    const x = await explained('+1 312 867 5308');
    expect(x.number).toMatchObject({ countryAssumed: null, e164: '+13128675308' });
    const m = x.near.find((n: any) => n.contact.externalId === 't1');
    expect(m).toMatchObject({ e164: '+13128675309', kind: 'one_digit', detail: 'digit 11 is 9 instead of 8' });
    expect(x.summary).toContain('Tommy Typo');
  });

  it('an invalid stored number: the contact whose number was rejected, with the reason', async () => {
    const x = await explained('+1 212 555 7310');
    expect(x.rejected).toContainEqual(expect.objectContaining({ source: 'hubspot', externalId: 'i1', displayName: 'Ivy Invalid', phone: '(112) 555-7310', seenIn: 'cdp' }));
    expect(x.rejected.find((r: any) => r.externalId === 'i1').reason).toMatch(/valid|unparseable/);
    expect(x.rejected.some((r: any) => r.phone === 'ivy@example.com')).toBe(false);
    expect(x.summary).toContain('rejected');
  });

  it('past the search budget a miss records how the number was read, and the search runs when the run is read', async () => {
    const ids = (await Promise.all(Array.from({ length: 12 }, () => lookup('+1 312 867 5308')))).map((r) => r.headers.get('x-patchbay-run-id')!);
    let rows: { id: string; explanation: any }[] = [];
    for (let i = 0; i < 200 && rows.length < ids.length; i++) {
      rows = await db()`select id, explanation from runs where id = any(${ids}) and explanation is not null`;
      if (rows.length < ids.length) await new Promise((res) => setTimeout(res, 50));
    }
    const skipped = rows.find((r) => r.explanation.skipped);
    expect(skipped, 'at least one of 12 simultaneous misses was past the budget').toBeTruthy();
    expect(skipped!.explanation.number).toMatchObject({ e164: '+13128675308' });
    expect(skipped!.explanation.near).toEqual([]);
    const read = await api(`/api/v1/runs/${skipped!.id}`);
    expect(read.body.explanation.skipped).toBeUndefined();
    expect(read.body.explanation.near).toContainEqual(expect.objectContaining({ e164: '+13128675309', kind: 'one_digit' }));
    const [kept] = await db()`select explanation from runs where id = ${skipped!.id}`;
    expect(kept.explanation.near.length).toBeGreaterThan(0);
  });

  it('a number that cannot be read says so, and a found caller has no explanation', async () => {
    const x = await explained('12');
    expect(x.number.valid).toBe(false);
    expect(x.summary).toMatch(/not a valid phone number/);
    const hit = await lookup('+1 312 867 5309');
    expect(hit.body).toMatchObject({ found: true });
    // (The recording policy may not store a successful hit at all: then there is no run to read.)
    const run = await api(`/api/v1/runs/${hit.headers.get('x-patchbay-run-id')}`);
    expect([200, 404]).toContain(run.status);
    if (run.status === 200) expect(run.body.explanation).toBeUndefined();
  });
});
