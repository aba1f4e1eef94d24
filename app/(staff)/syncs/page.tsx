import type { Metadata } from 'next';
import { SyncsView } from '@/components/syncs/syncs-view';

export const metadata: Metadata = { title: 'Syncs · Patchbay' };

export default function SyncsPage() {
  return <SyncsView />;
}
