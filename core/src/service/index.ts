export type { Service } from './service.js';
export { Shutdown } from './shutdown.js';
export { runUntilSignal } from './run-until-signal.js';
export { mainEntry } from './main-entry.js';
export { EXIT_FATAL, installFatalErrorPolicy } from './fatal-errors.js';
