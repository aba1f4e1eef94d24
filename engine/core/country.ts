// Free-text countries as CRMs store them ("United States", "germany", "DE", "USA", "Deutschland") → ISO 3166-1
// alpha-2, or null when it cannot tell. English names come from the runtime's ICU data; aliases cover what people
// and address autocompletes type beyond them. One index for every connector.

/** Codes ICU still names that are not countries, or were withdrawn and would shadow the current code (UK → GB, DD → DE …). */
const NOT_COUNTRIES = new Set([
  'AN', 'BU', 'CS', 'DD', 'DY', 'EU', 'EZ', 'FX', 'HV', 'NH', 'QO', 'RH', 'SU', 'TP', 'UK', 'UN', 'VD', 'XA', 'XB', 'YD', 'YU', 'ZR', 'ZZ',
]);

const ALIASES: Record<string, string> = {
  usa: 'US', 'u.s.': 'US', 'u.s.a.': 'US', america: 'US', 'united states of america': 'US', can: 'CA', aus: 'AU',
  uk: 'GB', 'u.k.': 'GB', 'great britain': 'GB', britain: 'GB', england: 'GB', scotland: 'GB', wales: 'GB', 'northern ireland': 'GB', gbr: 'GB',
  deutschland: 'DE', deu: 'DE', allemagne: 'DE', frankreich: 'FR', fra: 'FR', españa: 'ES', espana: 'ES', esp: 'ES', italia: 'IT', ita: 'IT',
  nederland: 'NL', holland: 'NL', 'the netherlands': 'NL', nld: 'NL', österreich: 'AT', osterreich: 'AT', aut: 'AT', schweiz: 'CH', suisse: 'CH', che: 'CH',
  belgië: 'BE', belgique: 'BE', bel: 'BE', polska: 'PL', pol: 'PL', eesti: 'EE', est: 'EE', sverige: 'SE', swe: 'SE', norge: 'NO', nor: 'NO',
  danmark: 'DK', dnk: 'DK', suomi: 'FI', fin: 'FI', irl: 'IE', prt: 'PT', bra: 'BR', brasil: 'BR', mex: 'MX', méxico: 'MX', ind: 'IN', jpn: 'JP', chn: 'CN',
  'czech republic': 'CZ', czechia: 'CZ', myanmar: 'MM', burma: 'MM', russia: 'RU', 'south korea': 'KR', korea: 'KR', uae: 'AE',
};

let index: { names: Map<string, string>; codes: Set<string> } | null = null;

function countryIndex() {
  if (index) return index;
  const names = new Map<string, string>();
  const codes = new Set<string>();
  const display = new Intl.DisplayNames(['en'], { type: 'region' });
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      let name: string | undefined;
      try { name = display.of(code); } catch { name = undefined; }
      if (!name || name === code || name === 'Unknown Region' || NOT_COUNTRIES.has(code)) continue;
      codes.add(code);
      const lower = name.toLowerCase();
      // "Bosnia & Herzegovina" / "… and …", "Myanmar (Burma)" → both parts
      const variants = [lower, lower.replace(/ & /g, ' and ')];
      const paren = /^(.*?)\s*\((.*)\)$/.exec(lower);
      if (paren) variants.push(paren[1], paren[2]);
      for (const v of variants) if (!names.has(v)) names.set(v, code);
    }
  }
  for (const [alias, code] of Object.entries(ALIASES)) names.set(alias, code);
  index = { names, codes };
  return index;
}

export function countryToIso2(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const key = value.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!key) return null;
  const { names, codes } = countryIndex();
  const named = names.get(key);
  if (named) return named;
  // A two-letter code counts when it is a current country code.
  if (/^[a-z]{2}$/.test(key)) return codes.has(key.toUpperCase()) ? key.toUpperCase() : null;
  return null;
}
