import { useQuery } from '@tanstack/react-query';
import { queryKeys, staffApi } from '../api-client';

export function useFlows() {
  return useQuery({ queryKey: queryKeys.flows, queryFn: staffApi.flows });
}
