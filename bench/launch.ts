import { spawn, type ChildProcess } from 'node:child_process';

/** node running a benchmark's TypeScript from source: workspace packages through their `@tianwang/source` condition */
export const NODE = [process.execPath, '--conditions=@tianwang/source', '--import', 'tsx'];

// a benchmark that stops (done, failed, interrupted) leaves no broker, worker or load generator behind
const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

export interface LaunchOptions {
  /** resolve once the child printed this on stdout (else at once) */
  ready?: string;
  /** V8 flags before the script (`--max-semi-space-size=64`) */
  v8?: string[];
}

/**
 * A child process of a benchmark (`args`: the script and its arguments), with stdin, stdout and stderr piped; when
 * `ready` is given it resolves once the child printed it, and rejects with the tail of its stderr if it exits first.
 * BENCH_PROFILE=<dir> writes a V8 CPU profile of every child to <dir>.
 */
export function launch(args: string[], o: LaunchOptions = {}): Promise<ChildProcess> {
  const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(NODE[0]!, [...prof, ...(o.v8 ?? []), ...NODE.slice(1), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  const { ready } = o;
  if (!ready) return Promise.resolve(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (!out.includes(ready)) return;
      child.stdout!.off('data', onData);
      resolve(child);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${err}`)));
  });
}
