/** Builds the web app when its sources changed since the last build; returns the build's exit status (0: nothing to do or built). */
export function buildIfStale(log?: (m: string) => void): number;
