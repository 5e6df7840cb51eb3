import { readFile } from 'node:fs/promises';

/**
 * Errors in a service's log: pino lines at level error (50) or fatal (60), and any mention of an unhandled
 * rejection or exception (Node prints those itself, not through pino). Returns the count and a few examples.
 */
export interface LogFindings {
  name: string;
  errors: number;
  unhandled: number;
  /** warnings are expected while a fault lasts (Redis away, provider refusing): counted, not failed */
  warnings: number;
  /** times a broker held every device's publishes because the uplink stream was over its maximum */
  backpressure: number;
  examples: string[];
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export async function scanLog(name: string, file: string): Promise<LogFindings> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const out: LogFindings = { name, errors: 0, unhandled: 0, warnings: 0, backpressure: 0, examples: [] };
  for (const line of text.split('\n')) {
    if (!line) continue;
    let level = 0;
    let msg = line;
    if (line.startsWith('{')) {
      try {
        const j = JSON.parse(line) as { level?: number | string; msg?: string; err?: { code?: string; message?: string } };
        // the services log level labels ("warn", "error"); pino's default is the number
        level = typeof j.level === 'string' ? (LEVELS[j.level] ?? 0) : (j.level ?? 0);
        msg = `${j.msg ?? ''}${j.err ? ` (${j.err.code ?? ''} ${j.err.message ?? ''})` : ''}`;
      } catch {
        /* not pino */
      }
    }
    // the services' own handler (core/service/fatal-errors.ts) logs the kind; Node's default says UnhandledPromiseRejection
    const unhandled = /unhandled(promise)?( ?rejection| ?exception| promise)/i.test(line);
    if (unhandled) out.unhandled++;
    if (msg.startsWith('uplink stream over its maximum')) out.backpressure++;
    if (level >= 50) out.errors++;
    else if (level === 40) out.warnings++;
    if ((unhandled || level >= 50) && out.examples.length < 3) out.examples.push(msg.slice(0, 200));
  }
  return out;
}
