import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { readyOrExit, serverHandle, spawnServer, tempDir, waitForPort, type ServerProcess } from './process.js';

const run = promisify(execFile);

export interface MosquittoServer extends ServerProcess {
  url: string;
}

/**
 * Debian's mosquitto on a free port with a password file, so simulated devices really authenticate
 * (anonymous access off): a reference MQTT broker for the fleet simulator's tests and benchmark.
 */
export async function startMosquitto(users: { username: string; password: string }[]): Promise<MosquittoServer> {
  const port = await freePort();
  const dir = await tempDir('mosquitto');
  const passwd = join(dir, 'passwd');
  await writeFile(passwd, users.map((u) => `${u.username}:${u.password}`).join('\n') + '\n', { mode: 0o600 });
  await run('mosquitto_passwd', ['-U', passwd]); // hashes the file in place (sha512-pbkdf2)
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      // mosquitto started as root drops to user "mosquitto", who cannot read our temp dir: stay who we are
      `user ${userInfo().username}`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'max_keepalive 300',
      'max_queued_messages 10000',
      '',
    ].join('\n'),
  );
  const child = spawnServer('mosquitto', ['-c', conf]);
  await readyOrExit(child, 'mosquitto', waitForPort(port));
  return { ...serverHandle(child, port, dir), url: `mqtt://127.0.0.1:${port}` };
}
