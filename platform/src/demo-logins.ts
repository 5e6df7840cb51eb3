import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoDistrict } from '@tianwang/core/demo';

/** Writes the demo's user logins (mode 0600) so the person who started the demo can sign in. */
export async function writeDemoLogins(dataDir: string, demo: DemoDistrict): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, 'demo-logins.txt');
  const lines = [
    `# tianwang demo district, seed ${demo.seed}: 演示账号 / demo logins`,
    ...demo.users.map((u) => `${u.role.padEnd(10)} ${u.username.padEnd(12)} ${u.password}   ${u.displayName}`),
    '',
  ];
  await writeFile(file, lines.join('\n'), { mode: 0o600 });
  return file;
}
