// The two-way sync's pure parts: reading both sides into one shape, the echo hash, and the conflict rules.
import { describe, expect, it } from 'vitest';
import { hashShared, newerSide, resolveDeleteEdit, resolveEdits, sameShared, sharedFromCrm, sharedFromPhonebook, type SharedFields } from './shared-fields';

const f = (o: Partial<SharedFields>): SharedFields => ({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phones: ['+442079460001'], ...o });

describe('shared fields', () => {
  it('read the same from a CRM record and from the phonebook entry written from it', () => {
    const crm = sharedFromCrm({ source: 'hubspot', externalId: '1', kind: 'person', custom: {}, firstName: ' Ada ', lastName: 'Lovelace', email: 'Ada@Example.com', phones: ['020 7946 0001', '+1 415 555 0100', '+4930123456'], country: 'GB' }, 'US');
    const pb = sharedFromPhonebook({ id: '9', externalId: '1', source: 'hubspot', firstName: 'Ada', lastName: 'Lovelace', company: null, isCompany: false, phones: [{ number: '+14155550100', type: 'mobile' }, { number: '+442079460001', type: 'work' }], email: 'ada@example.com', crmUrl: null, customData: {} });
    expect(crm).toEqual({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phones: ['+442079460001', '+14155550100'] });
    // The order of the two numbers does not make a difference (a CRM may list the mobile first).
    expect(hashShared(crm)).toBe(hashShared(pb));
    expect(sameShared(crm, pb)).toBe(true);
    expect(hashShared(f({ lastName: 'Byron' }))).not.toBe(hashShared(f({})));
  });

  it('newest compares each side by its own clock; a side without one loses, a tie goes to the CRM', () => {
    expect(newerSide('2026-01-01T10:00:00Z', '2026-01-01T10:00:01Z')).toBe('phonebook');
    expect(newerSide('2026-01-01T10:00:02Z', '2026-01-01T10:00:01Z')).toBe('crm');
    expect(newerSide('2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z')).toBe('crm');
    expect(newerSide(null, '2026-01-01T10:00:00Z')).toBe('phonebook');
    expect(newerSide('2026-01-01T10:00:00Z', null)).toBe('crm');
  });
});

describe('conflict rules', () => {
  const base = f({});
  const crm = f({ firstName: 'Augusta', email: 'crm@example.com' });
  const phonebook = f({ lastName: 'King', email: 'pb@example.com' });
  const at = { crmAt: '2026-01-01T10:00:00Z', phonebookAt: '2026-01-01T11:00:00Z' };

  it('crm_wins and phone_wins take one side whole', () => {
    expect(resolveEdits('crm_wins', { base, crm, phonebook, ...at })).toEqual({ result: crm, winner: 'crm' });
    expect(resolveEdits('phone_wins', { base, crm, phonebook, ...at })).toEqual({ result: phonebook, winner: 'phonebook' });
  });

  it('newest takes the side edited last', () => {
    expect(resolveEdits('newest', { base, crm, phonebook, ...at }).winner).toBe('phonebook');
    expect(resolveEdits('newest', { base, crm, phonebook, crmAt: '2026-01-01T12:00:00Z', phonebookAt: at.phonebookAt }).result).toEqual(crm);
  });

  it('field_by_field keeps each side\'s edit and takes the newest where both edited the same field', () => {
    const r = resolveEdits('field_by_field', { base, crm, phonebook, ...at });
    expect(r.result).toEqual({ firstName: 'Augusta', lastName: 'King', email: 'pb@example.com', phones: ['+442079460001'] });
    expect(r.winner).toBe('merged');
    expect(r.fields).toEqual({ firstName: 'crm', lastName: 'phonebook', email: 'phonebook', phones: 'both' });
    // Without an agreed base there is nothing to merge against: newest.
    expect(resolveEdits('field_by_field', { base: null, crm, phonebook, ...at })).toEqual({ result: phonebook, winner: 'phonebook' });
  });

  it('a delete against an edit: the rule says keep or delete; field_by_field keeps; an undated delete loses under newest', () => {
    expect(resolveDeleteEdit('crm_wins', { deletedOn: 'phonebook', editedAt: null, deletedAt: null })).toBe('keep');
    expect(resolveDeleteEdit('crm_wins', { deletedOn: 'crm', editedAt: null, deletedAt: null })).toBe('delete');
    expect(resolveDeleteEdit('phone_wins', { deletedOn: 'phonebook', editedAt: null, deletedAt: null })).toBe('delete');
    expect(resolveDeleteEdit('phone_wins', { deletedOn: 'crm', editedAt: null, deletedAt: null })).toBe('keep');
    expect(resolveDeleteEdit('field_by_field', { deletedOn: 'phonebook', editedAt: null, deletedAt: '2026-01-01T10:00:00Z' })).toBe('keep');
    expect(resolveDeleteEdit('newest', { deletedOn: 'phonebook', editedAt: '2026-01-01T10:00:00Z', deletedAt: '2026-01-01T11:00:00Z' })).toBe('delete');
    expect(resolveDeleteEdit('newest', { deletedOn: 'phonebook', editedAt: '2026-01-01T12:00:00Z', deletedAt: '2026-01-01T11:00:00Z' })).toBe('keep');
    expect(resolveDeleteEdit('newest', { deletedOn: 'crm', editedAt: '2026-01-01T12:00:00Z', deletedAt: null })).toBe('keep');
  });
});
