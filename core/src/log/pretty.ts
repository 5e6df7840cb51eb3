import { Writable } from 'node:stream';

const LEVEL_LABEL: Record<string, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'service', 'component']);

/**
 * A small human-readable destination for pino (TW_LOG_PRETTY=true): "09:43:51 WARN  streams ffmpeg exited key=value".
 * Kept in-house: one short function instead of a dependency, and JSON stays the default for machines.
 */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : new Date().toISOString().slice(11, 19);
  const level = LEVEL_LABEL[String(entry.level)] ?? String(entry.level).toUpperCase();
  const who = [entry.service, entry.component].filter(Boolean).join('/');
  const rest = Object.entries(entry)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v.replace(/\s+/g, ' ').slice(0, 160) : JSON.stringify(v)?.slice(0, 160)}`)
    .join(' ');
  return `${time} ${level} ${who ? `${who} ` : ''}${String(entry.msg ?? '')}${rest ? `  ${rest}` : ''}\n`;
}

export function prettyDestination(out: NodeJS.WritableStream = process.stderr): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) out.write(prettyLine(line));
      done();
    },
  });
}
