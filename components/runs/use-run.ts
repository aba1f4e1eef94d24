import { useQuery } from '@tanstack/react-query';
import { queryKeys, staffApi } from '../api-client';

const UNFINISHED = new Set(['queued', 'running', 'waiting']);

/** One run with its steps; polled while it has not finished. */
export function useRun(id: string) {
  return useQuery({
    queryKey: queryKeys.run(id),
    queryFn: () => staffApi.run(id),
    refetchInterval: (q) => (q.state.data && UNFINISHED.has(q.state.data.status) ? 2000 : false),
  });
}
