// Contact sync from Intercom and Keap into the CDP and the phonebook, through the one CRM sync suite
// (lib/testing/crm-sync-suite.ts): a first run writes every contact, an edit in the CRM arrives on the next
// incremental run (Intercom: the contacts search on updated_at, rounded by Intercom to the day; Keap: since +
// order=last_updated), and a delete on the next full comparison. Neither keeps companies with numbers the contract
// reads, so only persons flow.
import { describeCrmSyncSuite, type CrmSyncTarget } from '../testing/crm-sync-suite';
import { startIntercomEmulator, type IntercomEmulator } from '@/engine/connectors/intercom/emulator';
import { startPhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { startKeapEmulator, type KeapEmulator } from '@/engine/connectors/keap/emulator';

const intercom: CrmSyncTarget<IntercomEmulator> = {
  system: 'intercom',
  name: 'Intercom',
  start: () => startIntercomEmulator({ contacts: 40, users: 2, token: 'intercom-sync' }),
  credentials: { accessToken: 'intercom-sync' },
  sourceIds: (emu) => emu.store.listContacts().map((c) => c.id).sort(),
  edit: (emu, id, firstName, phone) => {
    const last = emu.store.contacts.get(id)!.name!.split(' ').slice(1).join(' ');
    emu.store.updateContact(id, { name: `${firstName} ${last}`, phone, location: { type: 'location', country: 'United Kingdom', region: null, city: 'London' } });
  },
  remove: (emu, id) => { emu.store.removeContact(id); },
  personIds: (emu) => emu.store.listContacts().map((c) => c.id),
};

const keap: CrmSyncTarget<KeapEmulator> = {
  system: 'keap',
  name: 'Keap',
  start: () => startKeapEmulator({ contacts: 40, users: 2, token: 'keap-sync' }),
  credentials: { apiKey: 'keap-sync' },
  sourceIds: (emu) => emu.store.listContacts().map((c) => String(c.id)).sort(),
  edit: (emu, id, firstName, phone) => {
    emu.store.updateContact(Number(id), { given_name: firstName, phone_numbers: [{ number: phone, field: 'PHONE1', type: 'Work' }], addresses: [{ field: 'BILLING', country_code: 'GBR', locality: 'London' }] });
  },
  remove: (emu, id) => { emu.store.removeContact(Number(id)); },
  personIds: (emu) => emu.store.listContacts().map((c) => String(c.id)),
};

describeCrmSyncSuite('sync_ic_kp', [intercom, keap], (token) => startPhoneSystemEmulator({ token }));
