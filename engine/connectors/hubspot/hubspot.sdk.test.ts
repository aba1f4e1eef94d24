// HubSpot's official Node SDK (@hubspot/api-client 13, generated from HubSpot's API definitions) drives the emulator
// unchanged, pointed at it with `basePath`: reading, changing and archiving contacts one by one, and the batch update
// the two-way contact sync uses (200, or 207 with OBJECT_NOT_FOUND naming the ids that are gone).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@hubspot/api-client';
import { startHubspotEmulator, type HubspotEmulator } from './emulator';

const TOKEN = 'hs-sdk-token';
let emu: HubspotEmulator;
let client: Client;

beforeAll(async () => {
  emu = await startHubspotEmulator({ contacts: 6, companies: 0, token: TOKEN });
  client = new Client({ accessToken: TOKEN, basePath: emu.url, numberOfApiCallRetries: 0 });
});
afterAll(async () => { await emu?.close(); });

describe('the @hubspot/api-client SDK against the emulator', () => {
  it('reads, updates and archives a contact', async () => {
    const id = emu.store.list('contacts')[0].id;
    const read = await client.crm.contacts.basicApi.getById(id, ['firstname', 'lastname', 'phone']);
    expect(read.id).toBe(id);
    expect(read.properties.firstname).toBe(emu.store.get('contacts', id)!.properties.firstname);
    const updated = await client.crm.contacts.basicApi.update(id, { properties: { firstname: 'Sdk' } });
    expect(updated.properties.firstname).toBe('Sdk');
    await client.crm.contacts.basicApi.archive(id);
    expect(emu.store.get('contacts', id)).toBeUndefined();
    await expect(client.crm.contacts.basicApi.getById(id)).rejects.toMatchObject({ code: 404 });
  });

  it('updates contacts in a batch; ids that are gone come back as OBJECT_NOT_FOUND next to the results', async () => {
    const [a, b] = emu.store.list('contacts').map((r) => r.id);
    const ok = await client.crm.contacts.batchApi.update({ inputs: [{ id: a, properties: { lastname: 'Batch' } }, { id: b, properties: { phone: '+442079460100' } }] });
    expect(ok.status).toBe('COMPLETE');
    expect(ok.results.map((r) => r.id).sort()).toEqual([a, b].sort());
    expect(emu.store.get('contacts', a)!.properties.lastname).toBe('Batch');
    expect(emu.store.get('contacts', b)!.properties.phone).toBe('+442079460100');

    const partial = await client.crm.contacts.batchApi.update({ inputs: [{ id: a, properties: { lastname: 'Again' } }, { id: '999999999', properties: { lastname: 'Gone' } }] });
    expect(partial.results.map((r) => r.id)).toEqual([a]);
    expect((partial as unknown as { errors: { category: string; context: { ids: string[] } }[] }).errors).toEqual([expect.objectContaining({ category: 'OBJECT_NOT_FOUND', context: { ids: ['999999999'] } })]);
  });
});
