/**
 * Randomness goes through an Rng so that a seed replays a run exactly (deterministic
 * simulation) while production uses Math.random.
 */
export interface Rng {
  /** A float uniformly distributed in [0, 1). */
  next(): number;
}

/** Math.random, for production. */
export const mathRandom: Rng = { next: () => Math.random() };

/**
 * A seeded generator (sfc32, seeded through splitmix32): fast, 128 bits of state,
 * and good enough statistically for jitter and fault schedules. Not for cryptography.
 */
export class SeededRng implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
}

/** An integer uniformly distributed in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}

/** A float uniformly distributed in [lo, hi). */
export function randomBetween(rng: Rng, lo: number, hi: number): number {
  return lo + rng.next() * (hi - lo);
}
