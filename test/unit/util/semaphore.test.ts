import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../src/main/util/semaphore.ts';

describe('Semaphore', () => {
  it('grants at most `limit` slots and hands them on in order', async () => {
    const s = new Semaphore(2);
    const a = await s.acquire();
    await s.acquire();
    const order: string[] = [];
    const c = s.acquire().then((r) => (order.push('c'), r));
    const d = s.acquire().then((r) => (order.push('d'), r));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    a();
    a(); // a second release of the same slot is ignored
    await c;
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['c']);
    (await c)();
    await d;
    expect(order).toEqual(['c', 'd']);
  });

  it('drops a waiter whose signal aborts', async () => {
    const s = new Semaphore(1);
    const release = await s.acquire();
    const controller = new AbortController();
    const waiting = s.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
    release();
    const again = await s.acquire();
    expect(typeof again).toBe('function');
  });
});
