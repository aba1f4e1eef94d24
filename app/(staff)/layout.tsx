// The signed-in staff app: every page under this group checks the session here (redirect to /login without one).
import { AppShell } from '@/components/shell/app-shell';
import { StaffProviders } from '@/components/staff/staff-providers';
import { requireStaffPage } from '@/lib/auth/require-staff-page';
import { getStaffMe } from '@/lib/auth/staff-users';
import { getSql } from '@/lib/db/client';

export default async function StaffLayout({ children }: { children: React.ReactNode }) {
  const staff = await requireStaffPage();
  const me = await getStaffMe(getSql(), staff);
  return (
    <StaffProviders me={me}>
      <AppShell>{children}</AppShell>
    </StaffProviders>
  );
}
