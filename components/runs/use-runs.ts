import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { RunFilters } from '@/lib/staff-api/contract';
import { queryKeys, staffApi } from '../api-client';

export const RUN_PAGE_SIZE = 50;

/** Keyset-paged runs: each "Load more" asks for the page after the last row seen. */
export function useRuns(filters: RunFilters) {
  return useInfiniteQuery({
    queryKey: queryKeys.runList(filters),
    queryFn: ({ pageParam }) => staffApi.runs({ ...filters, cursor: pageParam, limit: RUN_PAGE_SIZE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // While new filters load, the previous rows stay (dimmed) instead of the table collapsing.
    placeholderData: keepPreviousData,
  });
}

export function useCustomers() {
  return useQuery({ queryKey: queryKeys.customers, queryFn: staffApi.customers, staleTime: 60_000 });
}

/** Latency over time for the chart above the runs table (same filters, status aside). */
export function useRunStats(filters: RunFilters) {
  const { status: _status, ...rest } = filters;
  return useQuery({ queryKey: queryKeys.runStats(rest), queryFn: () => staffApi.runStats(rest), placeholderData: keepPreviousData });
}
