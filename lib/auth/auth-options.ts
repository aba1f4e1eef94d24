// next-auth for vendor staff: email + password (bcrypt) against staff_users, JWT sessions that carry
// the user id, vendor id and role. NEXTAUTH_SECRET / NEXTAUTH_URL are set by server.ts.
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getSql } from '@/lib/db/client';
import { isLoginBlocked, noteLoginResult } from './login-throttle';
import { verifyStaffCredentials } from './staff-users';

export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: 12 * 60 * 60 },
  pages: { signIn: '/login', error: '/login' },
  providers: [
    CredentialsProvider({
      id: 'credentials',
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials) {
        const email = credentials?.email?.trim() ?? '';
        const password = credentials?.password ?? '';
        if (!email || !password || email.length > 320 || password.length > 200) return null;
        if (isLoginBlocked(email)) throw new Error('Too many failed sign-ins for this email: wait 15 minutes and try again.');
        const staff = await verifyStaffCredentials(getSql(), email, password);
        noteLoginResult(email, !!staff);
        return staff ? { id: staff.userId, vendorId: staff.vendorId, role: staff.role, email: staff.email, name: staff.name } : null;
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.vendorId = user.vendorId;
        token.role = user.role;
      }
      return token;
    },
    async session({ session, token }) {
      session.user = { id: token.uid ?? '', vendorId: token.vendorId ?? '', role: token.role ?? 'viewer', email: token.email ?? '', name: token.name ?? '' };
      return session;
    },
  },
};
