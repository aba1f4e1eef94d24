// Contact sync from ActiveCampaign and Zendesk Support (end users) into the CDP and the phonebook, through the one
// CRM sync suite. Neither has companies with numbers on the contract; both keep one phone field, where a UK
// number carries its country code (ActiveCampaign's phone field takes a country; Zendesk asks for E.164).
import { describeCrmSyncSuite, type CrmSyncTarget } from '../testing/crm-sync-suite';
import { startActiveCampaignEmulator, type AcEmulator } from '@/engine/connectors/activecampaign/emulator';
import { startPhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { startZendeskEmulator, ZENDESK_EMULATOR_EMAIL, type ZendeskEmulator } from '@/engine/connectors/zendesk/emulator';

const international = (nationalUk: string) => `+44 ${nationalUk.replace(/^0/, '')}`;

const activecampaign: CrmSyncTarget<AcEmulator> = {
  system: 'activecampaign',
  name: 'ActiveCampaign',
  start: () => startActiveCampaignEmulator({ contacts: 40, users: 2, token: 'ac-sync' }),
  credentials: { apiToken: 'ac-sync' },
  sourceIds: (emu) => emu.store.list('contacts').map((c) => c.id),
  edit: (emu, id, firstName, phone) => { emu.store.update('contacts', id, { firstName, phone: international(phone) }); },
  remove: (emu, id) => { emu.store.remove('contacts', id); },
  personIds: (emu) => emu.store.list('contacts').map((c) => c.id),
};

const zendesk: CrmSyncTarget<ZendeskEmulator> = {
  system: 'zendesk',
  name: 'Zendesk',
  start: () => startZendeskEmulator({ contacts: 40, users: 2, token: 'zd-sync' }),
  credentials: { email: ZENDESK_EMULATOR_EMAIL, apiToken: 'zd-sync' },
  sourceIds: (emu) => emu.store.endUsers().map((u) => String(u.id)),
  edit: (emu, id, firstName, phone) => {
    const u = emu.store.users.get(Number(id))!;
    emu.store.updateUser(u.id, { name: `${firstName} ${u.name.split(' ').at(-1)}`, phone: international(phone) });
  },
  remove: (emu, id) => { emu.store.removeUser(Number(id)); },
  personIds: (emu) => emu.store.endUsers().map((u) => String(u.id)),
};

describeCrmSyncSuite('sync_helpdesks', [activecampaign, zendesk], (token) => startPhoneSystemEmulator({ token }));
