// The median every benchmark reports: with an even count, the mean of the two middle values (taking the
// upper one, as these scripts once did, made two rounds report their better one).
export function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// A 95 % confidence interval of the median, from the rounds alone: the k-th smallest and k-th largest values,
// with k the largest for which P(k ≤ Binomial(n, ½) ≤ n - k) is still at least 95 %. It assumes nothing of
// how the rounds spread (no normal law, no resampling), so it suits this machine's skewed rounds; it needs 6
// values or more, and below that the whole range is the interval.
export function medianInterval(xs, confidence = 0.95) {
  const sorted = [...xs].sort((a, b) => a - b);
  const n = sorted.length;
  // P(Binomial(n, ½) = i), summed from both tails inwards while the middle keeps the confidence.
  let pmf = 0.5 ** n;
  let tails = 0;
  let k = 0;
  for (let i = 0; i < n / 2; i++) {
    if (1 - 2 * (tails + pmf) < confidence) break;
    tails += pmf;
    pmf = (pmf * (n - i)) / (i + 1);
    k = i + 1;
  }
  const rank = Math.max(k, 1); // below 6 values no rank keeps 95 %: the whole range
  return { low: sorted[rank - 1], high: sorted[n - rank] };
}
