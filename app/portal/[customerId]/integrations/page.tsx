import { tryDecodeURIComponent } from '@/lib/api/input-guard';
import { CataloguePage } from '@/components/portal/catalogue-page';

export const metadata = { title: 'Integrations – Patchbay' };

export default async function Integrations({ params }: { params: Promise<{ customerId: string }> }) {
  const { customerId } = await params;
  return <CataloguePage customerId={tryDecodeURIComponent(customerId) ?? customerId} />;
}
