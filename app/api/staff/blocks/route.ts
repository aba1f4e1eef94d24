import { json, withStaff } from '@/lib/auth/with-staff';
import { describeBlocks } from '@/lib/blocks/describe-blocks';

export const GET = withStaff(async () => json(describeBlocks()));
