import type { Metadata } from 'next';
import { TemplateDetailView } from '@/components/templates/template-detail';

export const metadata: Metadata = { title: 'Template · Patchbay' };

export default async function TemplatePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <TemplateDetailView id={id} />;
}
