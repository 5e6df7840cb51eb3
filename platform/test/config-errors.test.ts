import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every process entry point stops on bad configuration with one line naming the variable, exit code 2. */
describe.each(['broker/src/main.ts', 'ingest/src/main.ts', 'alerts/src/main.ts', 'streams/src/main.ts', 'dashboard/src/main.ts', 'platform/src/main.ts'])(
  '%s',
  (entry) => {
    it('refuses a bad value with one clear line', async () => {
      const result = await run(process.execPath, ['--conditions=@tianwang/source', '--import', 'tsx', entry], {
        cwd: root,
        env: { PATH: process.env.PATH, TW_MQTT_PORT: '70000' },
        timeout: 30_000,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
      );
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/configuration error: TW_MQTT_PORT: must be 1–65535 \(got "70000"\)$/);
    }, 40_000);
  },
);
