import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * In development a secret that was not configured is generated once and kept in the data folder (mode 0600),
 * so a restart keeps SMS links and sessions valid. Production refuses to start without it (config rule).
 */
export async function resolveDevSecret(dataDir: string, name: 'secret.key' | 'service-password', configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const file = join(dataDir, name);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch {
    /* not there yet */
  }
  await mkdir(dataDir, { recursive: true });
  const value = randomBytes(32).toString('hex');
  await writeFile(file, value + '\n', { mode: 0o600 });
  return value;
}
