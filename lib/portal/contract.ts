// The customer portal's wire shapes (/api/portal/…), shared by the server and the portal pages.

/** One way to connect; `option` is its index in the manifest's auth list (a connector may offer several API-key forms). */
export type AuthOptionView =
  | { option: number; type: 'apiKey'; fields: { id: string; label: string; secret: boolean }[]; help: string | null }
  | { option: number; type: 'oauth2'; available: boolean; help: string | null; unavailableReason: string | null };

export interface ConnectionView {
  authKind: string;
  baseUrl: string;
  status: 'unknown' | 'ok' | 'error';
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  /** In plain words, e.g. "HubSpot rejected the token: reconnect HubSpot". */
  lastError: string | null;
  updatedAt: string;
}

export interface ConnectorView {
  system: string;
  name: string;
  defaultBaseUrl: string;
  /** What the base URL field starts with: the local emulator in demo mode, else the real service. */
  suggestedBaseUrl: string;
  auth: AuthOptionView[];
  canTest: boolean;
  connection: ConnectionView | null;
}

/** GET /api/portal/{customerId}/connections */
export interface PortalConnections {
  customer: { id: string; name: string };
  connectors: ConnectorView[];
}

/** PUT /api/portal/{customerId}/connections/{system} */
export interface ConnectApiKeyInput {
  authKind?: 'apiKey';
  option?: number;
  baseUrl?: string | null;
  credentials: Record<string, string>;
}

/** POST /api/portal/{customerId}/connections/{system}/test */
export interface ConnectionTestResult {
  ok: boolean;
  /** The account the credentials belong to, when the system says (e.g. "HubSpot portal 24681357"). */
  account: string | null;
  /** Plain words, also stored as the connection's last error. */
  error: string | null;
  connection: ConnectionView;
}

export interface PortalErrorBody { error: { code: string; message: string; path?: (string | number)[] } }
