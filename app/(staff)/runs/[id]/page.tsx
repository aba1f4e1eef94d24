import type { Metadata } from 'next';
import { RunView } from '@/components/runs/run-view';

export const metadata: Metadata = { title: 'Run · Patchbay' };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <RunView id={id} />;
}
