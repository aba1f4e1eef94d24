'use client';
// Client-side providers of the staff app: react-query and the signed-in staff member.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import type { StaffMe } from '@/lib/staff-api/contract';
import { ApiRequestError } from '../api-client';
import { StaffProvider } from './staff-context';

export function StaffProviders({ me, children }: { me: StaffMe; children: React.ReactNode }) {
  const [client] = useState(() => new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // A 4xx will not fix itself by asking again.
        retry: (count, err) => !(err instanceof ApiRequestError && err.status >= 400 && err.status < 500) && count < 2,
      },
    },
  }));
  return (
    <QueryClientProvider client={client}>
      <StaffProvider me={me}>{children}</StaffProvider>
    </QueryClientProvider>
  );
}
