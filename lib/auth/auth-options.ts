// next-auth for vendor staff: email + password (bcrypt) against staff_users, JWT sessions that carry
// the user id, vendor id and role. NEXTAUTH_SECRET / NEXTAUTH_URL are set by server.ts.
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getSql } from '@/lib/db/client';
import { randomUUID } from 'node:crypto';
import { textProblem } from '@/lib/api/input-guard';
import { CLIENT_ADDRESS_HEADER } from '@/lib/api/request-guard';
import { checkLogin, noteLoginResult } from './login-throttle';
import { isSessionRevoked, revokeSession, staffSessionId } from './session-revocations';
import { verifyStaffCredentials } from './staff-users';

const SESSION_MAX_AGE_SEC = 12 * 60 * 60;

export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SEC },
  pages: { signIn: '/login', error: '/login' },
  providers: [
    CredentialsProvider({
      id: 'credentials',
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials, req) {
        const email = credentials?.email?.trim() ?? '';
        const password = credentials?.password ?? '';
        if (!email || !password || email.length > 320 || password.length > 200 || textProblem(email) || textProblem(password)) return null;
        // Set by the custom server from the socket (or a trusted proxy), never taken from the client.
        const header = req?.headers?.[CLIENT_ADDRESS_HEADER];
        const address = (Array.isArray(header) ? header[0] : header) || 'unknown';
        const sql = getSql();
        const gate = await checkLogin(sql, email, address);
        if (!gate.allowed) throw new Error(gate.reason);
        if (gate.delayMs) await new Promise((r) => setTimeout(r, gate.delayMs));
        const staff = await verifyStaffCredentials(sql, email, password);
        await noteLoginResult(sql, email, address, !!staff);
        return staff ? { id: staff.userId, vendorId: staff.vendorId, role: staff.role, email: staff.email, name: staff.name } : null;
      },
    }),
  ],
  events: {
    // Sign-out revokes the session server-side at once (a copied cookie stops working too).
    async signOut({ token }) {
      if (token?.sid) await revokeSession(getSql(), staffSessionId(token.sid), new Date(((token.exp as number | undefined) ?? Date.now() / 1000 + SESSION_MAX_AGE_SEC) * 1000));
    },
  },
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.sid = randomUUID();
        token.uid = user.id;
        token.vendorId = user.vendorId;
        token.role = user.role;
      }
      return token;
    },
    async session({ session, token }) {
      // A session without an id (issued before revocation existed) or signed out is no session.
      if (!token.sid || (await isSessionRevoked(getSql(), staffSessionId(token.sid)))) {
        session.user = { id: '', vendorId: '', role: 'viewer', email: '', name: '' };
        return session;
      }
      session.user = { id: token.uid ?? '', vendorId: token.vendorId ?? '', role: token.role ?? 'viewer', email: token.email ?? '', name: token.name ?? '' };
      return session;
    },
  },
};
