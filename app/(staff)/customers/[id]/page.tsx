import type { Metadata } from 'next';
import { tryDecodeURIComponent } from '@/lib/api/input-guard';
import { CustomerDetailView } from '@/components/customers/customers-view';

export const metadata: Metadata = { title: 'Customer · Patchbay' };

export default async function CustomerPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <CustomerDetailView id={tryDecodeURIComponent(id) ?? id} />;
}
