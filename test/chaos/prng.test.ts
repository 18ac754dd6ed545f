import { prng } from '../../scripts/chaos/prng';

describe('the chaos run PRNG', () => {
  it('draws the same sequence for a seed and another for another seed', () => {
    const a = Array.from({ length: 5 }, prng(42).next);
    const again = prng(42);
    expect(Array.from({ length: 5 }, again.next)).toEqual(a);
    const b = prng(43);
    expect(Array.from({ length: 5 }, b.next)).not.toEqual(a);
  });

  it('forks independent streams: drawing from one leaves another as it was', () => {
    const r1 = prng(7);
    const r2 = prng(7);
    r1.fork('kills').next();
    r1.fork('kills').next();
    expect(r1.fork('api').next()).toBe(r2.fork('api').next());
    expect(r1.fork('api').next()).not.toBe(r1.fork('kills').next());
  });

  it('keeps int within its bounds and reaches both ends', () => {
    const r = prng(1);
    const seen = new Set(Array.from({ length: 2000 }, () => r.int(3, 6)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('is roughly uniform', () => {
    const r = prng(99);
    const n = 20_000;
    const mean = Array.from({ length: n }, r.next).reduce((s, x) => s + x, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });
});
