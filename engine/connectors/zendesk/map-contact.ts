// Zendesk end users → UnifiedContact. One phone field as typed; the name is split into first and last.
import type { UnifiedContact } from '../../core/contact';

export interface ZendeskUser {
  id: number;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  role?: string;
  active?: boolean;
  organization_id?: number | null;
  time_zone?: string | null;
  notes?: string | null;
  user_fields?: Record<string, unknown> | null;
  updated_at?: string | null;
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

export function mapUser(u: ZendeskUser, recordUrl: (type: 'users', id: number) => string): UnifiedContact {
  const parts = (text(u.name) ?? '').split(/\s+/).filter(Boolean);
  const custom: Record<string, string | number> = {};
  if (u.organization_id != null) custom.organization_id = u.organization_id;
  if (text(u.time_zone)) custom.time_zone = u.time_zone!;
  return {
    source: 'zendesk',
    externalId: String(u.id),
    kind: 'person',
    firstName: parts.length > 1 ? parts.slice(0, -1).join(' ') : parts[0] ?? null,
    lastName: parts.length > 1 ? parts[parts.length - 1] : null,
    company: null,
    email: text(u.email),
    phones: text(u.phone) ? [u.phone!.trim()] : [],
    country: null,
    crmUrl: recordUrl('users', u.id),
    ownerId: null,
    custom,
    updatedAt: u.updated_at && Number.isFinite(Date.parse(u.updated_at)) ? new Date(u.updated_at).toISOString() : null,
  };
}
