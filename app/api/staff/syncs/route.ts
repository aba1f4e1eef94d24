import { json, withStaff } from '@/lib/auth/with-staff';
import { listSyncs } from '@/lib/sync/list-syncs';

/** Every contact sync of the vendor's customers: its config, schedule, running run (live progress) and history. */
export const GET = withStaff(async ({ sql, vendorId }) => json(await listSyncs(sql, vendorId)));
