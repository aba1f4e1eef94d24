// The portal pages' one way to talk to /api/portal: typed reads for the react-query hooks, typed writes,
// and `usePortalMutation`, the single write path (errors as PortalRequestError, the list refreshed after).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ConnectApiKeyInput, ConnectionTestResult, ConnectorView, PortalConnections, PortalErrorBody } from '@/lib/portal/contract';
import type { CatalogueView, TemplateDetail } from '@/lib/templates/catalogue';

export class PortalRequestError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly path?: (string | number)[]) {
    super(message);
    this.name = 'PortalRequestError';
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (err) {
    throw new PortalRequestError(0, 'network_error', `Could not reach the portal: ${(err as Error).message}`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* reported below */ }
  if (!res.ok) {
    const e = (data as PortalErrorBody | null)?.error;
    throw new PortalRequestError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `The server answered ${res.status}`, e?.path);
  }
  return data as T;
}

const catalogueBase = (customerId: string) => `/api/portal/${encodeURIComponent(customerId)}/catalogue`;
const base = (customerId: string) => `/api/portal/${encodeURIComponent(customerId)}/connections`;

export const portalApi = {
  connections: (customerId: string) => request<PortalConnections>('GET', base(customerId)),
  connect: (customerId: string, system: string, input: ConnectApiKeyInput) => request<ConnectorView>('PUT', `${base(customerId)}/${system}`, input),
  test: (customerId: string, system: string) => request<ConnectionTestResult>('POST', `${base(customerId)}/${system}/test`),
  disconnect: (customerId: string, system: string) => request<void>('DELETE', `${base(customerId)}/${system}`),
  /** Where to send the browser to sign in at the CRM (it then walks the OAuth redirects back here itself). */
  oauthStart: (customerId: string, system: string, baseUrl: string) => request<{ authorizeUrl: string }>('POST', `${base(customerId)}/${system}/oauth/start`, { baseUrl }),
  catalogue: (customerId: string) => request<CatalogueView>('GET', catalogueBase(customerId)),
  template: (customerId: string, templateId: string) => request<TemplateDetail>('GET', `${catalogueBase(customerId)}/${templateId}`),
  enable: (customerId: string, templateId: string, options: Record<string, unknown>) =>
    request<TemplateDetail & { firstSync: { status: string; runId: string | null; error: string | null } | null }>('POST', `${catalogueBase(customerId)}/${templateId}`, { options }),
  updateOptions: (customerId: string, templateId: string, options: Record<string, unknown>) => request<TemplateDetail>('PUT', `${catalogueBase(customerId)}/${templateId}/options`, { options }),
  pause: (customerId: string, templateId: string) => request<TemplateDetail>('POST', `${catalogueBase(customerId)}/${templateId}/pause`),
  resume: (customerId: string, templateId: string) => request<TemplateDetail>('POST', `${catalogueBase(customerId)}/${templateId}/resume`),
  remove: (customerId: string, templateId: string) => request<{ removed: true; deletedContacts: number; whatHappened: string }>('DELETE', `${catalogueBase(customerId)}/${templateId}`),
  /** Drops the portal session cookie. */
  signOut: (customerId: string) => request<void>('POST', `/api/portal/${encodeURIComponent(customerId)}/sign-out`),
};

export const portalKeys = {
  connections: (customerId: string) => ['portal', customerId, 'connections'] as const,
  catalogue: (customerId: string) => ['portal', customerId, 'catalogue'] as const,
};

export function useCatalogue(customerId: string) {
  return useQuery<CatalogueView, PortalRequestError>({ queryKey: portalKeys.catalogue(customerId), queryFn: () => portalApi.catalogue(customerId), refetchInterval: 5000 });
}

export function useTemplateDetail(customerId: string, templateId: string) {
  return useQuery<TemplateDetail, PortalRequestError>({ queryKey: [...portalKeys.catalogue(customerId), templateId], queryFn: () => portalApi.template(customerId, templateId), refetchInterval: 3000 });
}

export function useConnections(customerId: string) {
  return useQuery<PortalConnections, PortalRequestError>({ queryKey: portalKeys.connections(customerId), queryFn: () => portalApi.connections(customerId) });
}

export function usePortalMutation<TVars, TData>(customerId: string, fn: (vars: TVars) => Promise<TData>) {
  const qc = useQueryClient();
  return useMutation<TData, PortalRequestError, TVars>({
    mutationFn: fn,
    onSettled: () => Promise.all([qc.invalidateQueries({ queryKey: portalKeys.connections(customerId) }), qc.invalidateQueries({ queryKey: portalKeys.catalogue(customerId) })]),
  });
}
