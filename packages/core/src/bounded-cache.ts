/**
 * A small bounded cache: when full, the oldest entry goes (first in, first out). Errors repeat: the same
 * code path throws with the same stack, and the same context rides on every report, so computing each
 * once serves all of its repeats. A hit is one Map lookup, nothing more: reordering entries on every hit
 * (true LRU) cost more on the hot path than the occasional recomputation of an evicted hot entry.
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.size >= this.max && !this.map.has(key)) {
      const oldest = this.map.keys().next().value as K;
      this.map.delete(oldest);
    }
    this.map.set(key, value);
  }
}
