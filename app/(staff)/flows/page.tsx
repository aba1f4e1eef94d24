import type { Metadata } from 'next';
import { FlowsList } from '@/components/flows/flows-list';

export const metadata: Metadata = { title: 'Flows · Patchbay' };

export default function FlowsPage() {
  return <FlowsList />;
}
