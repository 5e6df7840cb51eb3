/**
 * Slows down password guessing per source address: every recent failure from one address doubles the delay
 * before that address's next CONNECT is answered (base, 2×base, 4×base … up to max). Failures are forgotten
 * after a quiet period of 10× max; a successful login clears them. The table is bounded so that a botnet
 * with many addresses cannot grow it without limit.
 */
export class LoginBackoff {
  private readonly failures = new Map<string, { count: number; last: number }>();

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly maxSources = 100_000,
    private readonly now = Date.now,
  ) {}

  /** How long to wait before answering this source's CONNECT. */
  delayFor(source: string): number {
    const f = this.failures.get(source);
    if (!f) return 0;
    if (this.now() - f.last > this.maxMs * 10) {
      this.failures.delete(source);
      return 0;
    }
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(f.count - 1, 20));
  }

  fail(source: string): void {
    const f = this.failures.get(source);
    if (f) {
      f.count++;
      f.last = this.now();
      return;
    }
    if (this.failures.size >= this.maxSources) {
      // drop the oldest insertion (Map keeps insertion order)
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(source, { count: 1, last: this.now() });
  }

  succeed(source: string): void {
    this.failures.delete(source);
  }
}
