/**
 * "Did you mean …" suggestions: the closest known name by edit distance,
 * ignoring case first, so `dense` finds `Dense` and `softmaxx` finds `softmax`.
 */
import { distance } from 'fastest-levenshtein';

export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const candidateLower = candidate.toLowerCase();
    if (candidateLower === lower) return candidate;
    const d = distance(lower, candidateLower);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // Allow about one edit in three characters: close enough to be a typo, not a different word.
  const limit = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}
