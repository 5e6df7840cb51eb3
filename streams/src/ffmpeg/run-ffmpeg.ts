import { spawn } from 'node:child_process';
import { redactSecrets } from '../redact.js';

/**
 * A short ffmpeg run (snapshot, health probe) whose stdout is the result. Killed at the deadline so a
 * camera that never sends a frame cannot hold a request or a health check open. Its stderr comes back
 * redacted: callers put it in errors and logs.
 */
export function runFfmpeg(args: string[], timeoutMs: number, input?: Buffer): Promise<{ stdout: Buffer; stderr: string; code: number | null; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], { detached: false, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    if (input) {
      child.stdin?.on('error', () => {});
      child.stdin?.end(input);
    }
    const out: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
    child.on('error', (err) => (stderr += String(err)));
    child.on('close', (code) => {
      clearTimeout(timer);
      process.removeListener('exit', kill);
      resolve({ stdout: Buffer.concat(out), stderr: redactSecrets(stderr), code, timedOut });
    });
  });
}
