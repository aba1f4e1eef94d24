'use client';
// Ends the portal session on this browser (a shared computer at the front desk): the cookie goes, and the
// page then says the session has ended; coming back takes a fresh link from the vendor's app.
import { useState } from 'react';
import { portalApi } from './portal-api';

export function SignOutButton({ customerId }: { customerId: string }) {
  const [state, setState] = useState<'idle' | 'busy' | 'failed'>('idle');
  return (
    <button
      type="button"
      className="btn btn-ghost"
      disabled={state === 'busy'}
      title={state === 'failed' ? 'Signing out failed; try again' : undefined}
      data-testid="portal-sign-out"
      onClick={async () => {
        setState('busy');
        try {
          await portalApi.signOut(customerId);
          window.location.reload();
        } catch {
          setState('failed');
        }
      }}
    >
      {state === 'busy' ? 'Signing out…' : state === 'failed' ? 'Sign out (retry)' : 'Sign out'}
    </button>
  );
}
