'use client';
// Who is signed in, for client components: the role decides which actions are offered (the API enforces it).
import { createContext, useContext } from 'react';
import { canWrite, VIEWER_REASON } from '@/lib/auth/roles';
import type { StaffMe } from '@/lib/staff-api/contract';

export interface StaffInfo extends StaffMe {
  /** Save, publish, delete, import, duplicate, create, test-run. */
  canWrite: boolean;
  /** Why writes are disabled (null when they are not): show it beside the disabled control. */
  writeDeniedReason: string | null;
}

const StaffContext = createContext<StaffInfo | null>(null);

export function StaffProvider({ me, children }: { me: StaffMe; children: React.ReactNode }) {
  const write = canWrite(me.role);
  return <StaffContext.Provider value={{ ...me, canWrite: write, writeDeniedReason: write ? null : VIEWER_REASON }}>{children}</StaffContext.Provider>;
}

export function useStaff(): StaffInfo {
  const v = useContext(StaffContext);
  if (!v) throw new Error('useStaff() is used outside the staff layout');
  return v;
}
