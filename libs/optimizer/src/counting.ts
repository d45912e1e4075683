// Sizes of search spaces, in log10 because they overflow doubles easily.

export function log10Binomial(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  let sum = 0;
  for (let i = 0; i < k; i++) sum += Math.log10(n - i) - Math.log10(i + 1);
  return sum;
}

/** log10(Σ 10^v): adding counts given as logs. */
export function log10Sum(values: readonly number[]): number {
  const finite = values.filter((v) => v !== -Infinity);
  if (finite.length === 0) return -Infinity;
  const top = Math.max(...finite);
  return top + Math.log10(finite.reduce((s, v) => s + Math.pow(10, v - top), 0));
}
