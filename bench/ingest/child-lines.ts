/** Reading a benchmark child's stdout one line at a time (its ready line, then one JSON result per command). */
import type { ChildProcess } from 'node:child_process';

/** Returns next(): the child's next stdout line, kept if it came before it was asked for; rejects once the child exited. */
export function childLines(child: ChildProcess, name = 'child'): () => Promise<string> {
  const lines: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  let buf = '';
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  let exited: Error | undefined;
  child.once('exit', (code) => {
    exited = new Error(`${name} exited ${code}`);
    for (const w of waiting.splice(0)) w(undefined);
  });
  return () =>
    new Promise((resolve, reject) => {
      const take = (line: string | undefined) => (line !== undefined ? resolve(line) : reject(exited));
      const line = lines.shift();
      if (line !== undefined) take(line);
      else if (exited) reject(exited);
      else waiting.push(take);
    });
}
