// Organization look-ups several actions share: organizations by id in batches (for persons' company names)
// and the keys of the organization custom fields of type `phone` (where companies keep their numbers).
import type { PipedriveClient, PipedriveEnvelope } from './client';
import type { PipedriveOrganization } from './map-contact';

/** /api/v2/organizations takes up to 100 ids per call. */
const IDS_PER_CALL = 100;

export async function loadOrganizations(client: PipedriveClient, ids: Iterable<number | null | undefined>): Promise<Map<number, PipedriveOrganization>> {
  const unique = [...new Set([...ids].filter((x): x is number => typeof x === 'number'))];
  const out = new Map<number, PipedriveOrganization>();
  for (let i = 0; i < unique.length; i += IDS_PER_CALL) {
    const batch = unique.slice(i, i + IDS_PER_CALL);
    const orgs = await client.get<PipedriveOrganization[]>('/api/v2/organizations', { ids: batch.join(','), limit: IDS_PER_CALL });
    for (const o of orgs ?? []) out.set(o.id, o);
  }
  return out;
}

interface FieldDefinition {
  key: string;
  name: string;
  field_type: string;
}

/** Keys of organization custom fields of type `phone` (v1: the fields API has no v2 form for every account). */
export async function organizationPhoneFieldKeys(client: PipedriveClient): Promise<Set<string>> {
  const keys = new Set<string>();
  const pages = client.paginate<FieldDefinition, PipedriveEnvelope<FieldDefinition[] | null>>(
    { path: '/v1/organizationFields', query: { start: 0, limit: 500 } },
    (res, req) => {
      const p = res.body?.additional_data?.pagination;
      return p?.more_items_in_collection ? { ...req, query: { ...req.query, start: p.next_start ?? p.start + p.limit } } : null;
    },
    (res) => client.unwrap(res) ?? [],
  );
  for await (const page of pages) for (const f of page.items) if (f.field_type === 'phone') keys.add(f.key);
  return keys;
}
