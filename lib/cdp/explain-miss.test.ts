import { describe, expect, it } from 'vitest';
import { missOf, nearCandidates, oneDigitVariants, parseForExplanation } from './explain-miss';

describe('explain-miss: reading the number and the candidates', () => {
  it('says which country was assumed, the type and the E.164', () => {
    expect(parseForExplanation('(415) 555-2671', 'US')).toMatchObject({ countryAssumed: 'US', country: 'US', e164: '+14155552671', valid: true, nationalNumber: '4155552671' });
    expect(parseForExplanation('+44 7400 123456', 'US')).toMatchObject({ countryAssumed: null, country: 'GB', type: 'MOBILE', e164: '+447400123456' });
    expect(parseForExplanation('0044 20 7946 0000', 'US')).toMatchObject({ countryAssumed: null, country: 'GB', type: 'FIXED_LINE' });
    expect(parseForExplanation('12', 'US')).toMatchObject({ valid: false, e164: null });
  });

  it('one edit away: changed, swapped, missing, extra digits', () => {
    const v = oneDigitVariants('1234567');
    expect(v.get('1234568')).toBe('digit 7 is 8 instead of 7');
    expect(v.get('1243567')).toBe('digits 3 and 4 are swapped');
    expect(v.get('123567')).toBe('digit 4 (4) is missing');
    expect(v.get('12345607')).toBe('an extra 0 at position 7');
    expect(v.has('1234567')).toBe(false);
  });

  it('candidates: the national number under every other country code, and one digit off', () => {
    const c = nearCandidates(parseForExplanation('(207) 946-0123', 'US'));
    expect(c.get('+442079460123')).toMatchObject({ kind: 'other_country' });
    expect(c.get('+12079460124')).toMatchObject({ kind: 'one_digit' });
    expect(c.has('+12079460123')).toBe(false);
  });

  it('finds the missed lookup in a run and the number as received', () => {
    const step = (seq: number, blockId: string, input: unknown, port: string) => ({ seq, nodeId: `n${seq}`, blockId, status: 'succeeded' as const, input, output: null, port, startedAt: '', durationMs: 0 });
    expect(missOf([step(1, 'trigger.webhook', null, 'out'), step(2, 'phone.normalize', { phone: '020 7946 0000' }, 'valid'), step(3, 'cdp.lookup', { phone: '+12079460000' }, 'notFound')], 'US'))
      .toEqual({ raw: '020 7946 0000', country: 'US', searched: '+12079460000' });
    expect(missOf([step(1, 'cdp.lookup', { phone: '+12079460000' }, 'found')], 'US')).toBeNull();
    // A caller_lookup whose number did not parse searched nothing: still a miss to explain.
    expect(missOf([step(1, 'phone.normalize', { phone: '12', country: 'GB' }, 'invalid')], 'US', 'caller_lookup')).toEqual({ raw: '12', country: 'GB', searched: null });
    expect(missOf([step(1, 'phone.normalize', { phone: '12' }, 'invalid')], 'US', 'call_logging')).toBeNull();
  });
});
