import { pino, type Logger, type LoggerOptions } from 'pino';
import { prettyDestination } from './pretty.js';

export { prettyLine } from './pretty.js';

export type { Logger } from 'pino';

export interface LogConfig {
  level: string;
  /** pretty single-line output for a terminal (development); JSON otherwise */
  pretty?: boolean;
}

/** The root logger; services take a child per component: `log.child({ component: 'broker' })`. */
export function createLogger(config: LogConfig = { level: 'info' }, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level: config.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Secrets never reach the log, whatever a caller passes.
    redact: { paths: ['password', 'secret', '*.password', '*.secret', 'token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  if (destination) return pino(options, destination);
  return config.pretty ? pino(options, prettyDestination()) : pino(options);
}

/** A logger that discards everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
