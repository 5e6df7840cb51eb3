import { loadConfig, type PlatformConfig } from '../config/index.js';
import { ConfigError } from '../errors/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { installFatalErrorPolicy } from './fatal-errors.js';
import { runUntilSignal } from './run-until-signal.js';
import type { Service } from './service.js';

/**
 * The body of every service's main.ts: parse the configuration once (a bad value stops start-up with one
 * line naming the variable, exit code 2), build the service, run it until SIGINT/SIGTERM. An error nothing
 * caught logs `fatal` and exits 70 (fatal-errors.ts); a failed start logs `fatal` and exits 1.
 */
export async function mainEntry(name: string, build: (config: PlatformConfig, log: Logger) => Promise<Service>): Promise<void> {
  let config: PlatformConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: configuration error: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  const log = createLogger({ level: config.common.logLevel, pretty: config.common.logPretty }).child({ service: name });
  installFatalErrorPolicy(name, log);
  let service: Service | undefined;
  try {
    service = await build(config, log);
    await runUntilSignal(service, log);
  } catch (err) {
    log.fatal({ err }, 'start failed');
    // undo what did start (listeners, connections), then leave
    await service?.stop().catch(() => {});
    process.exitCode = 1;
    // give pino a moment to flush, then leave even if a handle keeps the loop alive
    setTimeout(() => process.exit(1), 200).unref();
  }
}
