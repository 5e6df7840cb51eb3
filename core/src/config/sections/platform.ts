import { z } from 'zod';
import { bool, nonNegativeInt, port, v } from '../define.js';

/** The all-in-one runner (platform/): demo data and the in-process simulator. */
export const platformVars = {
  TW_DEMO: v(bool(true), 'All-in-one mode: load the demo district into the registry at start (idempotent).'),
  TW_DEMO_SEED: v(z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').default(1), 'Seed of the demo district; the same seed gives the same units, devices, secrets and logins.'),
  TW_DEMO_DEVICES: v(nonNegativeInt(220, 100_000), 'All-in-one mode: how many demo devices the in-process simulator runs (0 = none).'),
  TW_DEMO_CAMERAS: v(nonNegativeInt(2, 100), 'All-in-one mode: how many demo push cameras the simulator streams with ffmpeg (each costs CPU).'),
  TW_SIM_CONTROL_PORT: v(port(8090), 'All-in-one mode: the simulator\'s live fault-injection API (127.0.0.1 only, token printed at start).'),
};
