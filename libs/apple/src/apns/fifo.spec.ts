import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('gives items back in order, with unshift putting one back in front', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 5000; i++) fifo.push(i);
    const out: number[] = [];
    for (let i = 0; i < 3000; i++) out.push(fifo.shift() as number);
    fifo.unshift(2999);
    expect(fifo.length).toBe(2001);
    expect(fifo.shift()).toBe(2999);
    expect(fifo.shift()).toBe(3000);
    expect(out.slice(0, 3)).toEqual([0, 1, 2]);
    expect(fifo.drain()).toHaveLength(1999);
    expect(fifo.length).toBe(0);
    expect(fifo.shift()).toBeUndefined();
  });

  it('unshifts onto an empty queue', () => {
    const fifo = new Fifo<string>();
    fifo.unshift('a');
    fifo.push('b');
    expect(fifo.drain()).toEqual(['a', 'b']);
  });
});
