import type { Metadata } from 'next';
import { EmbedView } from '@/components/embed/embed-view';

export const metadata: Metadata = { title: 'Embed · Patchbay' };

export default function EmbedPage() {
  return <EmbedView />;
}
