// ActiveCampaign contacts → UnifiedContact. One phone field, kept as typed; dates carry the account's offset.
import type { UnifiedContact } from '../../core/contact';

export interface AcContact {
  id: string;
  email?: string | null;
  phone?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  orgname?: string | null;
  orgid?: string | null;
  cdate?: string | null;
  udate?: string | null;
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
const iso = (d: string | null | undefined) => (d && Number.isFinite(Date.parse(d)) ? new Date(Date.parse(d)).toISOString() : null);

export function mapContact(c: AcContact, recordUrl: (type: 'contact', id: string) => string | null): UnifiedContact {
  const custom: Record<string, string> = {};
  if (text(c.orgid) && c.orgid !== '0') custom.account_id = c.orgid!;
  return {
    source: 'activecampaign',
    externalId: String(c.id),
    kind: 'person',
    firstName: text(c.firstName),
    lastName: text(c.lastName),
    company: text(c.orgname),
    email: text(c.email),
    phones: text(c.phone) ? [c.phone!] : [],
    country: null,
    crmUrl: recordUrl('contact', String(c.id)),
    ownerId: null,
    custom,
    updatedAt: iso(c.udate),
  };
}
