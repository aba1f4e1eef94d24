// What each staff role may do. Pure, so the API (which enforces) and the UI (which explains) agree.
import type { StaffRole } from '@/lib/staff-api/contract';

export const STAFF_ROLES: readonly StaffRole[] = ['owner', 'editor', 'viewer'];

/** Save, publish, delete, import, duplicate, create and test-run need at least `editor`. */
export function canWrite(role: StaffRole): boolean {
  return role === 'owner' || role === 'editor';
}

export function hasRole(role: StaffRole, needed: StaffRole): boolean {
  return STAFF_ROLES.indexOf(role) <= STAFF_ROLES.indexOf(needed);
}

/** Shown next to disabled actions, and in the API's 403 answer. */
export const VIEWER_REASON = 'Your role is viewer: ask an owner of your workspace for editor access to change flows.';
