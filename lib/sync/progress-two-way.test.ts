import { describe, expect, it } from 'vitest';
import { directionCounts, directionSummary, syncProgress } from './progress';

const run = (o: Partial<Parameters<typeof syncProgress>[0]>) => syncProgress({ status: 'running', read: 0, total_estimate: null, stats: {}, ...o });

describe('two-way sync progress', () => {
  it('names the phase: phonebook changes read, CRM changes, phonebook changes written to the CRM', () => {
    expect(run({ stats: { phase: 'phonebook_changes', phonebookChangesRead: 1500 } })).toEqual({ fraction: null, phase: 'phonebook_changes', label: 'phone system → CRM: 1,500 phonebook changes read' });
    expect(run({ read: 10, total_estimate: 40, stats: { phase: 'changes' } })).toMatchObject({ fraction: 0.25, phase: 'changes' });
    expect(run({ stats: { phase: 'to_crm', toCrmTotal: 400, toCrmDone: 100 } })).toEqual({ fraction: 0.25, phase: 'to_crm', label: 'phone system → CRM: 100 of 400 changes written' });
  });

  it('counts each direction', () => {
    const stats = { direction: 'two_way', phonebookAdded: 2, phonebookUpdated: 5, crmCreated: 1, crmUpdated: 3, crmDeleted: 1, phonebookChangesRead: 9, conflicts: 1 };
    expect(directionCounts({ read: 7, stats })).toMatchObject({ twoWay: true, toPhonebook: { read: 7, added: 2, updated: 5 }, toCrm: { read: 9, created: 1, updated: 3, deleted: 1 }, conflicts: 1 });
    expect(directionSummary({ read: 7, stats })).toBe('CRM → phone +2 ~5 −0 · phone → CRM +1 ~3 −1 · 1 conflict');
    expect(directionSummary({ read: 7, stats: {} })).toBe('');
  });
});
