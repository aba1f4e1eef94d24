// What Patchbay keeps in the next-auth JWT and session.
import type { StaffRole } from '@/lib/staff-api/contract';

declare module 'next-auth' {
  interface Session {
    user: { id: string; vendorId: string; role: StaffRole; email: string; name: string };
  }
  interface User { id: string; vendorId: string; role: StaffRole; email: string; name: string }
}

declare module 'next-auth/jwt' {
  interface JWT { uid?: string; vendorId?: string; role?: StaffRole; /** This sign-in's id: sign-out revokes it (session_revocations). */ sid?: string }
}
