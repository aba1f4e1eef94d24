import { describe, expect, it } from 'vitest';
import { api, db } from './helpers';

const cust = `ingest-${Math.random().toString(36).slice(2, 8)}`;
const path = () => `/api/v1/customers/${cust}/cdp/contacts`;

describe('CDP ingestion', () => {
  it('creates the customer', async () => {
    expect((await api('/api/v1/customers', { body: { externalId: cust, name: 'Ingest Co', defaultCountry: 'DE' } })).status).toBe(201);
  });

  it('upserting the same contact twice keeps one record, and a change updates it', async () => {
    const contact = { source: 'pipedrive', externalId: '77', firstName: 'Konrad', lastName: 'Zuse', phones: ['030 1234567'], custom: { plan: 'z3' } };
    const first = await api(path(), { body: { contacts: [contact] } });
    expect(first.body).toMatchObject({ received: 1, inserted: 1, updated: 0, unchanged: 0, problems: [] });
    const second = await api(path(), { body: { contacts: [contact] } });
    expect(second.body).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    const changed = await api(path(), { body: { contacts: [{ ...contact, lastName: 'Zuse-Z4' }] } });
    expect(changed.body).toMatchObject({ inserted: 0, updated: 1 });
    const rows = await db()`select c.last_name, c.phones from cdp_contacts c join customers k on k.id = c.customer_id where k.external_id = ${cust} and c.external_id = '77'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ last_name: 'Zuse-Z4', phones: ['+49301234567'] });
  });

  it("normalises a number without country code with the customer's default country", async () => {
    const r = await api(`/api/v1/customers/${cust}/automations/caller_lookup`, { body: { phone: '+49 30 1234567' } });
    // No caller_lookup enabled for this customer yet.
    expect(r.status).toBe(404);
    const rows = await db()`select phones from cdp_contacts c join customers k on k.id = c.customer_id where k.external_id = ${cust}`;
    expect(rows[0].phones).toEqual(['+49301234567']);
  });

  it('reports an invalid number per record and keeps the valid ones', async () => {
    const r = await api(path(), { body: { contacts: [
      { source: 'pipedrive', externalId: '78', firstName: 'Ok', phones: ['+33 1 23 45 67 89'] },
      { source: 'pipedrive', externalId: '79', firstName: 'Half', phones: ['12', '+44 20 7946 0001'] },
    ] } });
    expect(r.status).toBe(200);
    expect(r.body.inserted).toBe(2);
    expect(r.body.problems).toEqual([{ index: 1, source: 'pipedrive', externalId: '79', phone: '12', reason: expect.any(String) }]);
    const [row] = await db()`select phones, raw_phones from cdp_contacts c join customers k on k.id = c.customer_id where k.external_id = ${cust} and c.external_id = '79'`;
    expect(row.phones).toEqual(['+442079460001']);
    expect(row.raw_phones).toEqual(['12', '+44 20 7946 0001']);
  });

  it('400 naming the field of a malformed record, and nothing is written', async () => {
    const r = await api(path(), { body: { contacts: [{ source: 'pipedrive', externalId: '90', phones: [] }, { source: 'pipedrive', phones: ['+1'] }] } });
    expect(r.status).toBe(400);
    expect(r.body.error.path).toEqual(['contacts', 1, 'externalId']);
    const rows = await db()`select 1 from cdp_contacts c join customers k on k.id = c.customer_id where k.external_id = ${cust} and c.external_id = '90'`;
    expect(rows).toHaveLength(0);
  });

  it('400 when contacts is missing', async () => {
    const r = await api(path(), { body: { people: [] } });
    expect(r.status).toBe(400);
    expect(r.body.error.path).toEqual(['contacts']);
  });

  it('refuses a customer whose default country is not a country, naming the field', async () => {
    const r = await api('/api/v1/customers', { body: { externalId: `${cust}-zz`, name: 'Nowhere', defaultCountry: 'ZZ' } });
    expect(r.status).toBe(400);
    expect(r.body.error.path).toEqual(['defaultCountry']);
    expect(r.body.error.message).toMatch(/defaultCountry.*not a country code/);
  });

  it('deletes a contact whose external id needs percent-encoding (decoded once)', async () => {
    const up = await api(path(), { body: { contacts: [{ source: 'hubspot', externalId: 'a/b%20c', firstName: 'Odd', phones: ['+12025550188'] }] } });
    expect(up.status).toBe(200);
    expect((await api(`${path()}/hubspot/${encodeURIComponent('a/b%20c')}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api(`${path()}/hubspot/${encodeURIComponent('a/b%20c')}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('a deleted contact no longer answers lookups', async () => {
    expect((await api(`${path()}/pipedrive/78`, { method: 'DELETE' })).status).toBe(200);
    expect((await api(`${path()}/pipedrive/78`, { method: 'DELETE' })).status).toBe(404);
    const [row] = await db()`select deleted_at from cdp_contacts c join customers k on k.id = c.customer_id where k.external_id = ${cust} and c.external_id = '78'`;
    expect(row.deleted_at).not.toBeNull();
  });
});

describe('body limits', () => {
  it('answers 413 for a body over 5 MB instead of dropping the connection', async () => {
    const big = JSON.stringify({ contacts: [{ source: 's', externalId: 'x', custom: { blob: 'x'.repeat(6 * 1024 * 1024) } }] });
    const r = await api(path(), { rawBody: big });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('body_too_large');
  });
});
