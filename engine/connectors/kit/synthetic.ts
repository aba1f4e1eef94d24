// Deterministic synthetic people and companies for seeding emulators and the demo tenant.
const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Radia', 'Tim', 'Frances', 'Donald', 'Hedy', 'John', 'Sophie', 'Edsger', 'Jean', 'Niklaus', 'Anita', 'Bjarne', 'Karen', 'Guido', 'Shafi', 'James', 'Lynn', 'Vint', 'Mary', 'Bob', 'Carol'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Perlman', 'Berners-Lee', 'Allen', 'Knuth', 'Lamarr', 'McCarthy', 'Wilson', 'Dijkstra', 'Bartik', 'Wirth', 'Borg', 'Stroustrup', 'Jones', 'van Rossum', 'Goldwasser', 'Gosling', 'Conway', 'Cerf', 'Shaw', 'Kahn', 'Shaw'];
const COMPANY = ['Analytical', 'Difference', 'Compiler', 'Orbital', 'Kernel', 'Apollo', 'Unix', 'Abstraction', 'Bell', 'Spanning', 'Web', 'Fortran', 'Tex', 'Frequency', 'Lisp'];
const SUFFIX = ['Ltd', 'Inc', 'GmbH', 'LLC', 'Labs', 'Systems', 'Partners'];
const CITIES: { country: 'US' | 'GB' | 'DE' | 'FR'; city: string }[] = [
  { country: 'US', city: 'Washington' }, { country: 'US', city: 'New York' }, { country: 'US', city: 'San Francisco' },
  { country: 'GB', city: 'London' }, { country: 'DE', city: 'Berlin' }, { country: 'FR', city: 'Paris' },
];

export interface SyntheticPerson {
  index: number;
  firstName: string;
  lastName: string;
  email: string;
  company: string;
  country: 'US' | 'GB' | 'DE' | 'FR';
  city: string;
  /** E.164 of the person's number. */
  e164: string;
  /** The same number as a CRM user would type it (national format, sometimes without country code). */
  phoneAsTyped: string;
  mobileE164: string | null;
  mobileAsTyped: string | null;
  /** Epoch ms of the last modification. */
  updatedAt: number;
}

/** Numbers are valid under libphonenumber's full metadata and unique per index (up to 10M). */
export function phoneFor(index: number, country: 'US' | 'GB' | 'DE' | 'FR', mobile = false): { e164: string; typed: string } {
  const n = String(index).padStart(7, '0');
  switch (country) {
    case 'US': {
      // 202/212/415 area codes, exchange 2xx-9xx; subscriber from index
      const area = ['202', '212', '415', '646', '718'][index % 5];
      const exch = String(200 + (Math.floor(index / 10000) % 800));
      const sub = String(index % 10000).padStart(4, '0');
      const e164 = `+1${area}${exch}${sub}`;
      return { e164, typed: mobile ? `${area}.${exch}.${sub}` : `(${area}) ${exch}-${sub}` };
    }
    case 'GB': {
      const sub = String(index % 1_000_000).padStart(6, '0');
      const prefix = mobile ? '7911' : '20 7' + String(Math.floor(index / 1_000_000) % 10);
      const e164 = mobile ? `+447911${sub}` : `+4420${'7' + String(Math.floor(index / 1_000_000) % 10)}${sub}`;
      return { e164, typed: mobile ? `0${prefix} ${sub}` : `0${prefix}${sub.slice(0, 2)} ${sub.slice(2)}` };
    }
    case 'DE': {
      const e164 = `+4930${n}`;
      return { e164, typed: `030 ${n}` };
    }
    case 'FR': {
      const e164 = `+331${n.slice(0, 1)}${n}`.slice(0, 12);
      const d = e164.slice(3);
      return { e164, typed: `01 ${d.slice(1, 3)} ${d.slice(3, 5)} ${d.slice(5, 7)} ${d.slice(7, 9)}` };
    }
  }
}

export function syntheticPerson(index: number, baseTime = Date.UTC(2026, 0, 1)): SyntheticPerson {
  const firstName = FIRST[index % FIRST.length];
  const lastName = LAST[Math.floor(index / FIRST.length) % LAST.length];
  const place = CITIES[index % CITIES.length];
  const company = `${COMPANY[index % COMPANY.length]} ${SUFFIX[index % SUFFIX.length]}`;
  const main = phoneFor(index, place.country);
  const mob = index % 3 === 0 && (place.country === 'US' || place.country === 'GB') ? phoneFor(index, place.country, true) : null;
  return {
    index,
    firstName,
    lastName,
    email: `${firstName}.${lastName}.${index}@example.com`.toLowerCase().replace(/\s+/g, ''),
    company,
    country: place.country,
    city: place.city,
    e164: main.e164,
    phoneAsTyped: main.typed,
    mobileE164: mob?.e164 ?? null,
    mobileAsTyped: mob?.typed ?? null,
    updatedAt: baseTime + index * 1000,
  };
}
