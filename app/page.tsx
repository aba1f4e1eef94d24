import { redirect } from 'next/navigation';
import { currentStaff } from '@/lib/auth/require-staff-page';

export default async function Home() {
  redirect((await currentStaff()) ? '/flows' : '/login');
}
