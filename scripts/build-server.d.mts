/** Builds dist/<name>.mjs from <name>.ts; returns the absolute path of the bundle. */
export function buildServer(name?: string): Promise<string>;
