import { json, withStaff } from '@/lib/auth/with-staff';
import { listSyncSources } from '@/lib/sync/list-syncs';

/** The CRMs that can feed a contact sync, each with the customers that connected it (the "Start a sync" form). */
export const GET = withStaff(async ({ sql, vendorId }) => json(await listSyncSources(sql, vendorId)));
