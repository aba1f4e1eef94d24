import { describe, expect, it } from 'vitest';
import { countryToIso2 } from './country';

describe('countryToIso2', () => {
  it('reads English names, with & or "and", either part of a parenthesised name, any case and spacing', () => {
    expect(['United States', 'germany', 'United  Kingdom', 'Bosnia & Herzegovina', 'Bosnia and Herzegovina', 'Myanmar (Burma)', 'Burma', ' France '].map(countryToIso2))
      .toEqual(['US', 'DE', 'GB', 'BA', 'BA', 'MM', 'MM', 'FR']);
  });

  it('reads the aliases people and address autocompletes write', () => {
    expect(['USA', 'U.K.', 'England', 'Deutschland', 'España', 'the Netherlands', 'Österreich', 'deu', 'Czech Republic'].map(countryToIso2))
      .toEqual(['US', 'GB', 'GB', 'DE', 'ES', 'NL', 'AT', 'DE', 'CZ']);
  });

  it('takes current two-letter codes, maps UK to GB, and refuses withdrawn, reserved and unknown codes', () => {
    expect(['de', 'FR', 'uk', 'DD', 'EU', 'ZZ', 'QQ'].map(countryToIso2)).toEqual(['DE', 'FR', 'GB', null, null, null, null]);
  });

  it('answers null for what it cannot tell', () => {
    expect(['Atlantis', '', '   ', null, undefined, 42].map(countryToIso2)).toEqual([null, null, null, null, null, null]);
  });
});
