import { getStaffMe } from '@/lib/auth/staff-users';
import { json, withStaff } from '@/lib/auth/with-staff';

export const GET = withStaff(async ({ sql, staff }) => json(await getStaffMe(sql, staff)));
