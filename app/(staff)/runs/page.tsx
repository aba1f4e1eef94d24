import type { Metadata } from 'next';
import { filtersFromSearch } from '@/components/runs/run-filters';
import { RunsList } from '@/components/runs/runs-list';

export const metadata: Metadata = { title: 'Runs · Patchbay' };

export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const initial = filtersFromSearch(await searchParams);
  // Keyed by the filters so a navigation to another filtered URL (a flow's "last run" link) starts afresh.
  return <RunsList key={JSON.stringify(initial)} initial={initial} />;
}
