import { describe, expect, it } from 'vitest';
import { Shutdown } from '@tianwang/core/service';

describe('Shutdown', () => {
  it('runs steps in reverse order, keeps going after a failing step, and runs once', async () => {
    const s = new Shutdown();
    const order: string[] = [];
    s.add('a', () => order.push('a'));
    s.add('b', () => {
      throw new Error('b fails');
    });
    s.add('c', () => order.push('c'));
    await Promise.all([s.run(), s.run()]);
    expect(order).toEqual(['c', 'a']);
  });

  it('startOrUndo undoes what started when a step fails, rethrows, and can start again', async () => {
    const s = new Shutdown();
    const undone: string[] = [];
    await expect(
      s.startOrUndo(async () => {
        s.add('listener', () => undone.push('listener'));
        throw new Error('port taken');
      }),
    ).rejects.toThrow('port taken');
    expect(undone).toEqual(['listener']);
    await s.startOrUndo(async () => {
      s.add('again', () => undone.push('again'));
    });
    await s.runAndReset();
    expect(undone).toEqual(['listener', 'again']);
  });
});
