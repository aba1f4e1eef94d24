// Public surface of the engine, for the web app, the worker and the CLI.
export * from './core/flow-schema';
export * from './core/define-block';
export * from './core/errors';
export * from './core/contact';
export * from './core/iso-instant';
export * from './core/phone';
export { compileFlow, validateFlow, type CompiledFlow, type FlowIssue } from './core/compile-flow';
export * from './core/flow-graph';
export { runFlow, type RunResult, type RunState, type RunOptions } from './core/runner';
export { createHttpClient, HttpError, type HttpClient, type AuthStrategy } from './core/http-client';
export { registry, migrateStoredFlow } from './registry';
export { migrateFlow, type BlockMigration } from './core/migrate-flow';
export { checkTriggerInput, type TriggerField } from './blocks/trigger-webhook/block';
export type { RateLimitInfo } from './core/http-client';
export { default as callerLookupFlow } from './fixtures/caller-lookup.flow.json';
export { default as contactSyncFlow } from './fixtures/contact-sync.flow.json';
export { default as callLoggingFlow } from './fixtures/call-logging.flow.json';
export * from './core/call-session';
