// The signed-in staff app: every page under this group checks the session here (redirect to /login without one),
// and shows the storage warnings (low disk, run history near its budget) while they hold.
import { AppShell } from '@/components/shell/app-shell';
import { StorageWarnings } from '@/components/shell/storage-warnings';
import { StaffProviders } from '@/components/staff/staff-providers';
import { requireStaffPage } from '@/lib/auth/require-staff-page';
import { getStaffMe } from '@/lib/auth/staff-users';
import { readConfig } from '@/lib/config';
import { getSql } from '@/lib/db/client';
import { currentStorageWarnings } from '@/lib/runs/storage-budget';

export default async function StaffLayout({ children }: { children: React.ReactNode }) {
  const staff = await requireStaffPage();
  const sql = getSql();
  const me = await getStaffMe(sql, staff);
  const cfg = readConfig();
  const warnings = await currentStorageWarnings(sql, { dataDir: cfg.dataDir, maxBytes: cfg.runMaxMb * 1048576, diskWarnPercent: cfg.diskWarnPercent });
  return (
    <StaffProviders me={me}>
      <AppShell><StorageWarnings warnings={warnings} />{children}</AppShell>
    </StaffProviders>
  );
}
