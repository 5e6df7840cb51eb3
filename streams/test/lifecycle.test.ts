import { createServer, type Server } from 'node:net';
import { rm } from 'node:fs/promises';
import { loadConfig } from '@tianwang/core/config';
import { silentLogger } from '@tianwang/core/log';
import { openRegistry, type Registry } from '@tianwang/core/registry';
import { afterAll, beforeAll } from 'vitest';
import { freePort, portAccepts, serviceLifecycleContract, tempDir, type LifecycleSubject } from '@tianwang/core/testing';
import { createStreams } from '../src/index.js';
import { SECRET_KEY } from './helpers/relay-fixture.js';

// one registry (PGlite takes seconds to open) for every relay of the file; they only read its empty camera list
let registry: Registry;
beforeAll(async () => {
  registry = await openRegistry();
});
afterAll(() => registry?.close());

/** A relay on free ports with an empty registry; `blockHttp` holds its HTTP port so the last start step fails. */
async function streamsSubject(blockHttp = false): Promise<LifecycleSubject> {
  const dataDir = await tempDir('streams-lifecycle');
  const rtmpPort = await freePort();
  const httpPort = await freePort();
  const config = loadConfig({
    TW_DATA_DIR: dataDir, TW_SECRET_KEY: SECRET_KEY, TW_STREAMS_HOST: '127.0.0.1', TW_RTMP_PORT: String(rtmpPort),
    TW_STREAMS_HTTP_PORT: String(httpPort), TW_CAMERA_HEALTH_MODE: 'off',
  });
  let blocker: Server | undefined;
  if (blockHttp) {
    const b = createServer();
    await new Promise<void>((resolve) => b.listen(httpPort, '127.0.0.1', resolve));
    blocker = b;
  }
  const streams = createStreams(config, { registry, log: silentLogger() });
  return {
    service: streams,
    // the HTTP front is the last thing a start opens
    ready: () => portAccepts(httpPort),
    // node-media-server's RTMP listener opens before the HTTP front; with the front blocked only RTMP tells
    held: async () => ((await portAccepts(rtmpPort)) ? 1 : 0) + (!blocker && (await portAccepts(httpPort)) ? 1 : 0),
    async dispose() {
      await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

serviceLifecycleContract('streams', () => streamsSubject(), { failing: () => streamsSubject(true) });
