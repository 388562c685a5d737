// The median every benchmark reports: with an even count, the mean of the two middle values (taking the
// upper one, as these scripts once did, made two rounds report their better one).
export function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
