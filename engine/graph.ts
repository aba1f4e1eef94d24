// The engine's graph rules (ports, reachability, loops) without the block registry: safe for the browser
// bundle (the flow editor), where importing engine/index.ts would pull in every connector.
export * from './core/flow-graph';
export { ERROR_PORT } from './core/flow-schema';
