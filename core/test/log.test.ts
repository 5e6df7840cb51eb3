import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine } from '@tianwang/core/log';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('log', () => {
  it('never writes secrets, whatever a caller passes', () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'info' }, stream);
    log.info({ password: 'hunter2', device: { secret: 'abc' }, token: 't0k', authorization: 'Bearer x' }, 'login');
    const out = lines.join('');
    for (const s of ['hunter2', 'abc', 't0k', 'Bearer x']) expect(out).not.toContain(s);
    expect(out).toContain('[redacted]');
    expect(JSON.parse(out)).toMatchObject({ level: 'info', msg: 'login' });
  });

  it('child loggers carry their component', () => {
    const { lines, stream } = capture();
    createLogger({ level: 'debug' }, stream).child({ component: 'ingest' }).debug('hello');
    expect(JSON.parse(lines[0]!)).toMatchObject({ component: 'ingest', level: 'debug' });
  });

  it('pretty lines are short and human', () => {
    const line = prettyLine(JSON.stringify({ level: 'warn', time: '2026-11-22T01:43:51.823Z', pid: 1, service: 'tianwang', component: 'streams', msg: 'ffmpeg exited', code: 1, stderr: 'a\nb' }));
    expect(line).toBe('01:43:51 WARN  tianwang/streams ffmpeg exited  code=1 stderr=a b\n');
    expect(prettyLine('not json')).toBe('not json');
  });
});
