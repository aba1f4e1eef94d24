// Contact sync from the CRMs added on the contract (Dynamics 365, Zoho CRM) into the CDP and the phonebook, through
// the one CRM sync suite (lib/testing/crm-sync-suite.ts): a first run writes every person and every company with a
// number, an edit in the CRM arrives on the next incremental run, and a delete on the next full comparison.
import { describeCrmSyncSuite, type CrmSyncTarget } from '../testing/crm-sync-suite';
import { startDynamicsEmulator, type DynamicsEmulator } from '@/engine/connectors/dynamics/emulator';
import { startPhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { startZohoEmulator, type ZohoEmulator } from '@/engine/connectors/zoho/emulator';

const dynamics: CrmSyncTarget<DynamicsEmulator> = {
  system: 'dynamics',
  name: 'Microsoft Dynamics 365',
  start: () => startDynamicsEmulator({ contacts: 40, companies: 6, users: 2, token: 'dyn-sync' }),
  credentials: { token: 'dyn-sync' },
  sourceIds: (emu) => [
    ...emu.store.list('contacts').map((r) => String(r.contactid)),
    ...emu.store.list('accounts').filter((r) => r.telephone1 || r.telephone2 || r.telephone3).map((r) => `company:${String(r.accountid)}`),
  ].sort(),
  edit: (emu, id, firstName, phone) => { emu.store.update('contacts', id, { firstname: firstName, telephone1: phone, mobilephone: null, address1_country: 'United Kingdom' }); },
  remove: (emu, id) => { emu.store.delete('contacts', id); },
  personIds: (emu) => emu.store.list('contacts').map((r) => String(r.contactid)),
};

const zoho: CrmSyncTarget<ZohoEmulator> = {
  system: 'zoho',
  name: 'Zoho CRM',
  start: () => startZohoEmulator({ contacts: 40, companies: 6, users: 2, token: 'zoho-sync' }),
  credentials: { token: 'zoho-sync' },
  sourceIds: (emu) => [
    ...emu.store.list('Contacts').map((r) => r.id),
    ...emu.store.list('Accounts').filter((r) => r.Phone).map((r) => `company:${r.id}`),
  ].sort(),
  edit: (emu, id, firstName, phone) => { emu.store.update('Contacts', id, { First_Name: firstName, Phone: phone, Mobile: null, Mailing_Country: 'United Kingdom' }); },
  remove: (emu, id) => { emu.store.remove('Contacts', id); },
  personIds: (emu) => emu.store.list('Contacts').map((r) => r.id),
};

describeCrmSyncSuite('sync_crms', [dynamics, zoho], (token) => startPhoneSystemEmulator({ token }));
