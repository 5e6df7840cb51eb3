import { GIVEN, SURNAMES } from './names.js';
import { SeededRandom } from './random.js';

export const REGION = '310115'; // a fictitious district's 6-digit administrative code
export const pad = (n: number, w: number) => String(n).padStart(w, '0');

export function addDays(isoDay: string, days: number): string {
  const d = new Date(`${isoDay}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * What every part of the generator draws from. One random sequence for the whole district: the parts are called
 * in a fixed order, so the same seed and day give the same district.
 */
export interface DemoContext {
  seed: number;
  today: string;
  rnd: SeededRandom;
  person(): string;
  phone(): string;
}

export function demoContext(seed: number, today: string): DemoContext {
  const rnd = new SeededRandom(seed);
  return { seed, today, rnd, person: () => rnd.pick(SURNAMES) + rnd.pick(GIVEN), phone: () => `+86139${rnd.digits(8)}` };
}
