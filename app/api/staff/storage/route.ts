import { json, withStaff } from '@/lib/auth/with-staff';
import { readConfig } from '@/lib/config';
import { storageStatus } from '@/lib/runs/storage-budget';

/** The run history's storage: disk free in the data folder, runs stored and their budget, and the warnings. */
export const GET = withStaff(async ({ sql }) => {
  const cfg = readConfig();
  return json(await storageStatus(sql, { dataDir: cfg.dataDir, maxBytes: cfg.runMaxMb * 1048576, diskWarnPercent: cfg.diskWarnPercent }));
});
