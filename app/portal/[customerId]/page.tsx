import { redirect } from 'next/navigation';

// The portal's start page is Connections (a signed ?token= link is handled by the custom server before this).
export default async function PortalHome({ params }: { params: Promise<{ customerId: string }> }) {
  const { customerId } = await params;
  redirect(`/portal/${customerId}/connections`);
}
