// Server components' gate: the signed-in staff member (re-read from the database) or a redirect to /login.
import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { getSql } from '@/lib/db/client';
import { authOptions } from './auth-options';
import { loadStaffPrincipal, type StaffPrincipal } from './staff-users';

export async function currentStaff(): Promise<StaffPrincipal | null> {
  const session = await getServerSession(authOptions);
  if (!session?.user?.id) return null;
  return loadStaffPrincipal(getSql(), session.user.id);
}

export async function requireStaffPage(callbackPath?: string): Promise<StaffPrincipal> {
  const staff = await currentStaff();
  if (!staff) redirect(callbackPath ? `/login?callbackUrl=${encodeURIComponent(callbackPath)}` : '/login');
  return staff;
}
