// One error can meet several framework hooks on its way out: expressErrorHandler() and then Express's final
// handler; Fastify's onError and then NestJS's filter, on Nest's Fastify adapter. It is decided (reported or
// not) once per request, by the first. The same error object thrown again for another request (an app's
// shared `NOT_FOUND`) is another incident, decided again. Fastify's decision waits for the response to
// close (fastify.ts), and yields to one taken for its request meanwhile: Nest answers a Fastify error of
// its own (a body that is not JSON) with a new HttpException, another object for the same incident.

/** The errors decided so far, each with the requests it was decided for; nothing kept alive. */
export class Decisions {
  private decided = new WeakMap<object, WeakSet<object>>();
  /** How many errors each request has had decided at once (not later). */
  private taken = new WeakMap<object, number>();
  private deferred = false;

  /** Notes that `error` is being decided for `req`: false when it already was. A value that is not an
   * object cannot be told from another one: always true. */
  first(error: unknown, req: unknown): boolean {
    const request = typeof req === 'object' && req !== null ? req : undefined;
    if (request && !this.deferred) this.taken.set(request, (this.taken.get(request) ?? 0) + 1);
    if (typeof error !== 'object' || error === null) return true;
    const key = request ?? error;
    const requests = this.decided.get(error);
    // An older expressErrorHandler() gives no request: its error is taken as decided for any.
    if (requests?.has(key) || requests?.has(error)) return false;
    if (requests) requests.add(key);
    else this.decided.set(error, new WeakSet([key]));
    return true;
  }

  /** `decide`, to run later for `req`: it does nothing if an error was decided at once for `req` meanwhile. */
  later(req: unknown, decide: () => void): () => void {
    const request = typeof req === 'object' && req !== null ? req : undefined;
    const before = request && this.taken.get(request);
    return () => {
      if (request && this.taken.get(request) !== before) return;
      this.deferred = true;
      try {
        decide();
      } finally {
        this.deferred = false;
      }
    };
  }
}
