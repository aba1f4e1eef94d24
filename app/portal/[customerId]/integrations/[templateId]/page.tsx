import { tryDecodeURIComponent } from '@/lib/api/input-guard';
import { IntegrationPage } from '@/components/portal/integration-page';

export const metadata = { title: 'Integration – Patchbay' };

export default async function Integration({ params }: { params: Promise<{ customerId: string; templateId: string }> }) {
  const { customerId, templateId } = await params;
  return <IntegrationPage customerId={tryDecodeURIComponent(customerId) ?? customerId} templateId={templateId} />;
}
