// Errors that carry a machine code, a message a customer can act on, and (once raised in a run) the step.
export type ErrorCode =
  | 'invalid_flow'
  | 'invalid_params'
  | 'invalid_input'
  | 'block_failed'
  | 'unknown_block'
  | 'expression_error'
  | 'connection_auth'
  | 'connection_missing'
  | 'rate_limited'
  | 'upstream_error'
  | 'network_error'
  | 'not_found'
  | 'timeout'
  | 'cancelled';

export interface SerializedError {
  code: ErrorCode | string;
  message: string;
  nodeId?: string;
  path?: (string | number)[];
  details?: unknown;
}

export class PatchbayError extends Error {
  readonly code: ErrorCode | string;
  nodeId?: string;
  readonly path?: (string | number)[];
  readonly details?: unknown;

  constructor(code: ErrorCode | string, message: string, extra: { nodeId?: string; path?: (string | number)[]; details?: unknown; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'PatchbayError';
    this.code = code;
    this.nodeId = extra.nodeId;
    this.path = extra.path;
    this.details = extra.details;
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, nodeId: this.nodeId, path: this.path, details: this.details };
  }
}

export function serializeError(err: unknown, nodeId?: string): SerializedError {
  if (err instanceof PatchbayError) return { ...err.toJSON(), nodeId: err.nodeId ?? nodeId };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'block_failed', message, nodeId };
}
