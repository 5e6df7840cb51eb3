/**
 * What a terminal keeps while the link is down, sent in order after it reconnects. Bounded like the flash
 * of a real terminal: when full, the oldest telemetry goes first; events are kept in preference, because a
 * lost "trapped" matters more than a lost reading.
 */
export interface BufferedMessage {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain?: boolean;
  /** events survive an overflow longer than telemetry */
  priority: 'event' | 'telemetry';
}

export class OfflineBuffer {
  private items: BufferedMessage[] = [];
  dropped = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  push(msg: BufferedMessage): void {
    if (this.capacity <= 0) {
      this.dropped++;
      return;
    }
    if (this.items.length >= this.capacity) {
      const i = this.items.findIndex((m) => m.priority === 'telemetry');
      this.items.splice(i >= 0 ? i : 0, 1);
      this.dropped++;
    }
    this.items.push(msg);
  }

  /** Takes everything out, oldest first. */
  drain(): BufferedMessage[] {
    const out = this.items;
    this.items = [];
    return out;
  }
}
