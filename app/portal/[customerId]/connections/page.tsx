import { tryDecodeURIComponent } from '@/lib/api/input-guard';
import { ConnectionsPage } from '@/components/portal/connections-page';

// ?connected=<system> or ?error=<plain words> come back from the OAuth callback.
export default async function Connections({ params, searchParams }: { params: Promise<{ customerId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { customerId } = await params;
  const q = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return <ConnectionsPage customerId={tryDecodeURIComponent(customerId) ?? customerId} connected={one(q.connected)} error={one(q.error)?.slice(0, 500)} />;
}
