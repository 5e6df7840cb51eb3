/** Small kinematics helpers for the elevator model. */
/** The first point half-way between two landings on the way from `from` to `to` (metres): well outside any door zone. */
export function midpointTowards(from: number, to: number, h: number): number {
  const dir = Math.sign(to - from) || 1;
  let mid = (Math.floor(from / h) + 0.5) * h;
  if (dir < 0 && mid > from) mid -= h;
  if ((mid - from) * dir < 0.3) mid += dir * h;
  // a target closer than the next midpoint: stop half-way to it (still outside the door zone unless very close)
  return (to - mid) * dir < 0 ? (from + to) / 2 : mid;
}

export function brake(v: number, decel: number, dtMs: number): number {
  const dv = (decel * dtMs) / 1000;
  return Math.abs(v) <= dv ? 0 : v - Math.sign(v) * dv;
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
