// The thrown value of one classification vector (vectors.json), built the same way in Node and in a page
// (the browser suite passes this function's source to Chromium): self-contained, no imports.
export function makeError(vector) {
  if ('thrown' in vector) return vector.thrown;
  const build = (e) => {
    const builtIn = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError'];
    let err;
    if (e.class === 'DOMException') err = new DOMException(e.message, e.name);
    else if (builtIn.includes(e.class)) err = new globalThis[e.class](e.message);
    else {
      // A class of that name, as an app or library defines it: `class ZodError extends Error {}`.
      const named = { [e.class]: class extends Error {} }[e.class];
      err = new named(e.message);
    }
    if (e.name !== undefined && e.class !== 'DOMException') err.name = e.name;
    for (const key of ['code', 'status', 'statusCode', 'response']) if (e[key] !== undefined) err[key] = e[key];
    if (e.cause !== undefined) err.cause = build(e.cause);
    return err;
  };
  return build(vector.error);
}
