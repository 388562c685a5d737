// One error can meet several framework hooks on its way out: expressErrorHandler() and then Express's final
// handler; Fastify's onError and then NestJS's filter, on Nest's Fastify adapter. It is decided (reported or
// not) once per request, by the first. The same error object thrown again for another request (an app's
// shared `NOT_FOUND`) is another incident, decided again.

/** The errors decided so far, each with the requests it was decided for; nothing kept alive. */
export class Decisions {
  private decided = new WeakMap<object, WeakSet<object>>();

  /** Notes that `error` is being decided for `req`: false when it already was. A value that is not an
   * object cannot be told from another one: always true. */
  first(error: unknown, req: unknown): boolean {
    if (typeof error !== 'object' || error === null) return true;
    const key = typeof req === 'object' && req !== null ? req : error;
    const requests = this.decided.get(error);
    // An older expressErrorHandler() gives no request: its error is taken as decided for any.
    if (requests?.has(key) || requests?.has(error)) return false;
    if (requests) requests.add(key);
    else this.decided.set(error, new WeakSet([key]));
    return true;
  }
}
