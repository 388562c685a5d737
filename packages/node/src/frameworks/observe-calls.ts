// The one kind of patch the framework hooks make (koa.ts, hapi.ts): a method replaced by one that calls it
// unchanged, then shows the call to an observer. The observer runs after the method returned, so nothing of
// it is in the stack of an error the method throws, and whatever it does never reaches the app.

/** Wraps `holder[name]` once per holder (`marker` says it is done); false when there is nothing to wrap. */
export function observeCalls(
  holder: unknown,
  name: string,
  marker: symbol,
  observe: (self: unknown, args: unknown[], result: unknown) => void,
): boolean {
  const target = holder as Record<PropertyKey, unknown> | undefined;
  const original = target?.[name];
  if (!target || typeof original !== 'function' || target[marker]) return false;
  Object.defineProperty(target, marker, { value: true });
  target[name] = {
    // A method's own name, as Node prints it if the framework's stack ever shows it.
    [name](this: unknown, ...args: unknown[]) {
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      try {
        observe(this, args, result);
      } catch {
        // Never into the app.
      }
      return result;
    },
  }[name];
  return true;
}
