#!/usr/bin/env node
/** All-in-one mode: `node platform/dist/main.js` (scripts/demo.sh starts Redis and InfluxDB first). */
import { mainEntry } from '@tianwang/core/service';
import { createAllInOne } from './all-in-one.js';
import { banner } from './banner.js';

await mainEntry('tianwang', async (config, log) => {
  const platform = createAllInOne(config, log);
  return {
    async start() {
      await platform.start();
      if (platform.info) process.stdout.write(banner(platform.info));
    },
    stop: () => platform.stop(),
  };
});
