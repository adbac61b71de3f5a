/** Seeded randomness: the same seed gives the same data on every run and machine. */
import seedrandom from 'seedrandom';

export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Shuffles in place (Fisher–Yates). */
  shuffle(items: Int32Array): Int32Array;
}

export function createRandom(seed: number): Random {
  const next = seedrandom(String(seed));
  return {
    uniform: next,
    // Box–Muller; 1 - u keeps the logarithm's argument above zero.
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const swap = items[i];
        items[i] = items[j];
        items[j] = swap;
      }
      return items;
    },
  };
}

/** 0, 1, …, count - 1 in a seeded random order. */
export function permutation(count: number, random: Random): Int32Array {
  return random.shuffle(Int32Array.from({ length: count }, (_, i) => i));
}
