import { isIPv6 } from 'node:net';

export interface LoginLimits {
  /** failed logins answered per second per source, sustained */
  failureRate: number;
  /** failed logins answered at once before the rate applies */
  failureBurst: number;
  /** unauthenticated connections one source may hold */
  pendingPerSource: number;
}

interface SourceState {
  /** connections not yet logged in, or waiting for the answer to their failed login */
  pending: number;
  /** failure budget (token bucket); below 0 when answers are scheduled ahead */
  tokens: number;
  refilledAt: number;
}

/**
 * Limits password guessing per source address, however many connections the guesser opens in parallel.
 *
 * - Failed logins are answered at `failureRate` per second per source (bursts of `failureBurst`): a token bucket
 *   that may go into debt, each refusal answered when the budget would have covered it. So the n-th of many
 *   parallel failures is answered (n − burst) / rate seconds after the first: the delay is decided when the
 *   failure is known, not read when the CONNECT arrives, which let 500 parallel guesses all through at once.
 * - A failure keeps its connection's slot until it is answered, even if the guesser closes it first, and a source
 *   holds at most `pendingPerSource` slots; further connections are closed before anything is read from them,
 *   so no credential is checked for them and nothing is learnt. Together: at most `failureRate` guesses per
 *   second are checked per source, and the memory a source holds is bounded.
 * - A successful login is answered at once and neither uses nor refills the budget: devices behind the same NAT
 *   as a misconfigured (or hostile) one keep logging in while a slot is free, and a guesser cannot reset its
 *   budget with a valid login of its own.
 *
 * Sources are keyed by `sourceKey` (an IPv6 address by its /64: one host gets a whole /64). The table forgets a
 * source once it holds no slot and its budget is full again; past `maxSources` entries it drops idle ones.
 */
export class LoginLimiter {
  private readonly sources = new Map<string, SourceState>();
  private sweepAt = 1024;

  constructor(
    private readonly limits: LoginLimits,
    private readonly maxSources = 100_000,
    private readonly now = Date.now,
  ) {}

  /** A connection from `source` opens; false: the source holds all its slots, close the connection. */
  tryOpen(source: string): boolean {
    let s = this.sources.get(source);
    if (!s) {
      if (this.sources.size >= this.sweepAt) this.sweep();
      s = { pending: 0, tokens: this.limits.failureBurst, refilledAt: this.now() };
      this.sources.set(source, s);
    }
    if (s.pending >= this.limits.pendingPerSource) return false;
    s.pending++;
    return true;
  }

  /** The connection's slot is free: it logged in, its failure was answered, or it closed before any verdict. */
  release(source: string): void {
    const s = this.sources.get(source);
    if (!s) return;
    s.pending--;
    if (s.pending <= 0 && this.refill(s) >= this.limits.failureBurst) this.sources.delete(source);
  }

  /** A login from `source` failed: milliseconds to wait before answering it. */
  failureDelay(source: string): number {
    const s = this.sources.get(source);
    if (!s) return 0;
    s.tokens = this.refill(s) - 1;
    return s.tokens >= 0 ? 0 : Math.ceil((-s.tokens * 1000) / this.limits.failureRate);
  }

  /** sources tracked (for tests and diagnostics) */
  get size(): number {
    return this.sources.size;
  }

  private refill(s: SourceState): number {
    const now = this.now();
    if (now > s.refilledAt) {
      s.tokens = Math.min(this.limits.failureBurst, s.tokens + ((now - s.refilledAt) * this.limits.failureRate) / 1000);
      s.refilledAt = now;
    }
    return s.tokens;
  }

  private sweep(): void {
    for (const [key, s] of this.sources) {
      if (s.pending <= 0 && this.refill(s) >= this.limits.failureBurst) this.sources.delete(key);
    }
    // still too many (a wide botnet): forget the oldest idle sources, debt and all
    for (const [key, s] of this.sources) {
      if (this.sources.size < this.maxSources) break;
      if (s.pending <= 0) this.sources.delete(key);
    }
    this.sweepAt = Math.max(1024, this.sources.size * 2);
  }
}

/**
 * The key a connection's source address is limited by: an IPv4 address (also when IPv4-mapped, `::ffff:a.b.c.d`)
 * as it is, an IPv6 address by its first 64 bits, the smallest block a host is given.
 */
export function sourceKey(address: string): string {
  // per accepted connection, refused ones included: IPv4 without any parsing
  if (!address.includes(':')) return address;
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  const zone = address.indexOf('%');
  const ip = zone >= 0 ? address.slice(0, zone) : address;
  if (!isIPv6(ip)) return address;
  const [head = '', tail] = ip.split('::');
  const groups = head ? head.split(':') : [];
  if (tail !== undefined) {
    const rest = tail ? tail.split(':') : [];
    // an embedded IPv4 address (`64:ff9b::1.2.3.4`) is two groups
    const restGroups = rest.length + (rest.at(-1)?.includes('.') ? 1 : 0);
    while (groups.length + restGroups < 8) groups.push('0');
    groups.push(...rest);
  }
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':')}::/64`;
}
