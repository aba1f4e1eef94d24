// The systems a customer must connect for a template, given the options it set. Shared by the server (enable refuses
// while one is missing; health lists them) and the portal's enable panel (which offers to connect them), so both
// read the template's `connections` the same way. No imports: the browser bundle takes it as is.
//
// A template's `connections` entries:
//   "crm"                                         the CRM the customer picks in the option of type crm
//   "slack", "s3" …                               that system, always
//   "options.recordingStorage"                    the system an option names (a choice of connector ids)
//   "options.recordingStorage if options.storeRecordings"   the same, only while that yes/no option is on

/** An entry naming an option (and maybe the yes/no option it depends on). */
export const OPTION_CONNECTION = /^options\.([a-zA-Z][a-zA-Z0-9_]{0,39})(?: if options\.([a-zA-Z][a-zA-Z0-9_]{0,39}))?$/;
/** A fixed system id, "crm", or an option entry. */
export const CONNECTION_ENTRY = /^(?:[a-z][a-z0-9-]{0,39}|options\.[a-zA-Z][a-zA-Z0-9_]{0,39}(?: if options\.[a-zA-Z][a-zA-Z0-9_]{0,39})?)$/;

export function neededSystems(connections: string[], fields: { key: string; type: string }[], options: Record<string, unknown>): string[] {
  const crmKey = fields.find((f) => f.type === 'crm')?.key;
  const out: string[] = [];
  for (const entry of connections) {
    if (entry === 'crm') {
      if (crmKey && typeof options[crmKey] === 'string' && options[crmKey]) out.push(options[crmKey] as string);
      continue;
    }
    const m = OPTION_CONNECTION.exec(entry);
    if (!m) { out.push(entry); continue; }
    const [, key, when] = m;
    if (when && options[when] !== true) continue;
    if (typeof options[key] === 'string' && options[key]) out.push(options[key] as string);
  }
  return [...new Set(out)];
}

/** The options whose value is a system id: the option of type crm and every option a connection entry names. */
export function systemOptionKeys(connections: string[], fields: { key: string; type: string }[]): Set<string> {
  const keys = new Set(fields.filter((f) => f.type === 'crm').map((f) => f.key));
  for (const entry of connections) { const m = OPTION_CONNECTION.exec(entry); if (m) keys.add(m[1]); }
  return keys;
}
