// The UI's one way to talk to the Staff API: typed reads (`apiGet`, used by the react-query hooks),
// typed writes (`apiSend`), the query keys, and `useStaffMutation`, the single mutation path that
// surfaces errors the same way everywhere and refreshes what a write changed.
import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { FlowInput } from '@/engine';
import type {
  ApiErrorBody, BlockInfo, CreatedFlow, CustomerListItem, DuplicatedFlow, FlowDetail, FlowListItem, FlowVersionDetail,
  PublishedFlow, RunDetail, RunFilters, RunPage, RunStatsWire, SavedVersion, StaffMe, TestRunResult, ValidateResult,
} from '@/lib/staff-api/contract';

/** A non-2xx answer: `code` and `message` come from the API's `{ error }` body; `issues` for invalid flows. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: (string | number)[],
    readonly issues?: NonNullable<ApiErrorBody['error']['issues']>,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below */ }
  if (!res.ok) {
    if (res.status === 401 && typeof window !== 'undefined') {
      // The session ended (signed out elsewhere, expired): back to the sign-in page, then here again.
      window.location.assign(`/login?callbackUrl=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    }
    const e = (data as ApiErrorBody | null)?.error;
    throw new ApiRequestError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `The server answered ${res.status} ${res.statusText}`, e?.path, e?.issues);
  }
  if (data === null && text) throw new ApiRequestError(res.status, 'invalid_response', 'The server did not answer with JSON');
  return data as T;
}

export function apiGet<T>(path: string, query?: Query): Promise<T> {
  return request<T>('GET', withQuery(path, query));
}

export function apiSend<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return request<T>(method, path, body);
}

const flowPath = (id: string) => `/api/staff/flows/${encodeURIComponent(id)}`;

/** Every Staff API endpoint, typed. Reads are used by the hooks; writes go through `useStaffMutation`. */
export const staffApi = {
  me: () => apiGet<StaffMe>('/api/staff/me'),
  blocks: () => apiGet<BlockInfo[]>('/api/staff/blocks'),
  customers: () => apiGet<CustomerListItem[]>('/api/staff/customers'),
  flows: () => apiGet<FlowListItem[]>('/api/staff/flows'),
  flow: (id: string) => apiGet<FlowDetail>(flowPath(id)),
  flowVersion: (id: string, version: number) => apiGet<FlowVersionDetail>(`${flowPath(id)}/versions/${version}`),
  /** Same-origin URL that downloads the latest definition as a .flow.json file. */
  exportUrl: (id: string, version?: number) => withQuery(`${flowPath(id)}/export`, { version }),
  runs: (filters: RunFilters & { cursor?: string | null; limit?: number }) => apiGet<RunPage>('/api/staff/runs', { ...filters }),
  run: (id: string) => apiGet<RunDetail>(`/api/staff/runs/${encodeURIComponent(id)}`),
  runStats: (filters: Omit<RunFilters, 'status'>) => apiGet<RunStatsWire>('/api/staff/runs/stats', { ...filters }),

  createFlow: (definition: FlowInput | unknown) => apiSend<CreatedFlow>('POST', '/api/staff/flows', { definition }),
  importFlow: (definition: unknown) => apiSend<CreatedFlow>('POST', '/api/staff/flows/import', { definition }),
  saveVersion: (id: string, v: { definition: FlowInput | unknown; message?: string; publish?: boolean }) => apiSend<SavedVersion>('POST', `${flowPath(id)}/versions`, v),
  publish: (id: string, version: number) => apiSend<PublishedFlow>('POST', `${flowPath(id)}/publish`, { version }),
  duplicate: (id: string) => apiSend<DuplicatedFlow>('POST', `${flowPath(id)}/duplicate`),
  deleteFlow: (id: string) => apiSend<void>('DELETE', flowPath(id)),
  validate: (definition: FlowInput | unknown) => apiSend<ValidateResult>('POST', '/api/staff/validate', { definition }),
  testRun: (id: string, v: { definition: FlowInput | unknown; input: unknown; customer?: string }) => apiSend<TestRunResult>('POST', `${flowPath(id)}/test-run`, v),
};

/** react-query keys; invalidating a prefix (e.g. `queryKeys.flows`) refreshes everything under it. */
export const queryKeys = {
  me: ['me'] as const,
  blocks: ['blocks'] as const,
  customers: ['customers'] as const,
  flows: ['flows'] as const,
  flow: (id: string) => ['flows', id] as const,
  flowVersion: (id: string, version: number) => ['flows', id, 'versions', version] as const,
  runs: ['runs'] as const,
  runList: (filters: RunFilters) => ['runs', 'list', filters] as const,
  runStats: (filters: Omit<RunFilters, 'status'>) => ['runs', 'stats', filters] as const,
  run: (id: string) => ['runs', 'detail', id] as const,
};

/**
 * The one write path: `useStaffMutation(staffApi.publish…)`-style. Errors arrive as `ApiRequestError`
 * (403 for viewers, 400 with `issues` for invalid flows); `invalidate` lists the query keys the write made stale.
 */
export function useStaffMutation<TVars, TData>(
  fn: (vars: TVars) => Promise<TData>,
  opts: { invalidate?: QueryKey[] | ((data: TData, vars: TVars) => QueryKey[]); onSuccess?: (data: TData, vars: TVars) => void; onError?: (err: ApiRequestError, vars: TVars) => void } = {},
) {
  const qc = useQueryClient();
  return useMutation<TData, ApiRequestError, TVars>({
    mutationFn: async (vars) => {
      try {
        return await fn(vars);
      } catch (err) {
        if (err instanceof ApiRequestError) throw err;
        throw new ApiRequestError(0, 'network_error', `Could not reach Patchbay: ${(err as Error).message}`);
      }
    },
    onSuccess: async (data, vars) => {
      const keys = typeof opts.invalidate === 'function' ? opts.invalidate(data, vars) : opts.invalidate ?? [];
      await Promise.all(keys.map((queryKey) => qc.invalidateQueries({ queryKey })));
      opts.onSuccess?.(data, vars);
    },
    onError: (err, vars) => opts.onError?.(err, vars),
  });
}
