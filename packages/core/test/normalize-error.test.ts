import { describe, expect, it } from 'vitest';
import { limits, normalizeError } from '../src/index';

describe('normalizeError', () => {
  it('keeps type, message and the V8 stack of an Error (captured from this Node process)', () => {
    const err = new TypeError('bad input');
    const r = normalizeError(err);
    expect(r.type).toBe('TypeError');
    expect(r.message).toBe('bad input');
    expect(r.stacktrace.startsWith('TypeError: bad input\n    at ')).toBe(true);
    expect(r.frames[0]?.file).toContain('normalize-error.test.ts');
    expect(r.frames[0]?.inApp).toBe(true);
    expect(r.causes).toEqual([]);
  });

  it('names an Error subclass by its constructor when name is left as "Error"', () => {
    class PaymentFailed extends Error {}
    expect(normalizeError(new PaymentFailed('declined')).type).toBe('PaymentFailed');
  });

  it('uses the DOMException name and message', () => {
    const r = normalizeError(new DOMException('The operation was aborted.', 'AbortError'));
    expect(r.type).toBe('AbortError');
    expect(r.message).toBe('The operation was aborted.');
  });

  it.each([
    ['a string', 'oops', 'string', 'oops'],
    ['a number', 42, 'number', '42'],
    ['a BigInt', 10n, 'bigint', '10'],
    ['a boolean', false, 'boolean', 'false'],
    ['a Symbol', Symbol('tag'), 'symbol', 'Symbol(tag)'],
    ['null', null, 'null', 'null'],
    ['undefined', undefined, 'undefined', 'undefined'],
  ])('describes %s', (_label, value, type, message) => {
    const r = normalizeError(value);
    expect(r.type).toBe(type);
    expect(r.message).toBe(message);
    expect(r.stacktrace).toBe(`${type}: ${message}`);
    expect(r.frames).toEqual([]);
  });

  it('gives a plain object a message from its keys, not "[object Object]"', () => {
    const r = normalizeError({ code: 42, reason: 'timeout', nested: { a: 1 }, list: [1, 2] });
    expect(r.type).toBe('Object');
    expect(r.message).toBe('{ code: 42, reason: "timeout", nested: [Object], list: [Array(2)] }');
  });

  it('treats { name, message } as an error and { name } alone as data', () => {
    expect(normalizeError({ name: 'ValidationError', message: 'email missing' })).toMatchObject({
      type: 'ValidationError',
      message: 'email missing',
    });
    expect(normalizeError({ name: 'bob' })).toMatchObject({ type: 'Object', message: '{ name: "bob" }' });
  });

  it('names class instances by their class', () => {
    class HttpResponse {
      status = 503;
    }
    expect(normalizeError(new HttpResponse())).toMatchObject({ type: 'HttpResponse', message: '{ status: 503 }' });
  });

  it('follows Error.cause and prints each cause as a "Caused by:" section', () => {
    const root = new RangeError('port out of range');
    const err = new Error('cannot start server', { cause: new Error('bind failed', { cause: root }) });
    const r = normalizeError(err);
    expect(r.causes.map((c) => [c.relation, c.depth, c.type, c.message])).toEqual([
      ['cause', 1, 'Error', 'bind failed'],
      ['cause', 2, 'RangeError', 'port out of range'],
    ]);
    expect(r.stacktrace).toMatch(/^Error: cannot start server\n {4}at /);
    expect(r.stacktrace).toContain('\nCaused by: Error: bind failed\n    at ');
    expect(r.stacktrace).toContain('\nCaused by: RangeError: port out of range\n    at ');
    expect(r.causes[1]?.frames.length).toBeGreaterThan(0);
  });

  it('lists the errors of an AggregateError, non-Error values included', () => {
    const r = normalizeError(new AggregateError([new TypeError('first'), 'second'], 'all failed'));
    expect(r.type).toBe('AggregateError');
    expect(r.causes.map((c) => [c.relation, c.type, c.message])).toEqual([
      ['errors[0]', 'TypeError', 'first'],
      ['errors[1]', 'string', 'second'],
    ]);
    expect(r.stacktrace).toContain('\nCaused by (errors[1]): string: second');
  });

  it('is cycle-safe: err.cause = err, and a → b → a', () => {
    const self = new Error('self') as Error & { cause?: unknown };
    self.cause = self;
    expect(normalizeError(self).causes).toEqual([]);
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(normalizeError(a).causes.map((c) => c.message)).toEqual(['b']);
  });

  it('bounds the depth and the number of causes', () => {
    let deep: unknown = new Error('bottom');
    for (let i = 0; i < 50; i++) deep = new Error(`level ${i}`, { cause: deep });
    expect(normalizeError(deep).causes).toHaveLength(limits.MAX_CAUSE_DEPTH);
    const wide = new AggregateError(
      Array.from({ length: 500 }, (_, i) => new Error(`e${i}`)),
      'wide',
    );
    expect(normalizeError(wide).causes).toHaveLength(limits.MAX_CAUSES);
  });

  it('never calls getters, toString or Symbol.toPrimitive of the thrown value', () => {
    let called = 0;
    const hostile = {
      get message(): string {
        called++;
        throw new Error('getter');
      },
      toString() {
        called++;
        throw new Error('toString');
      },
      [Symbol.toPrimitive]() {
        called++;
        throw new Error('toPrimitive');
      },
    };
    const r = normalizeError(hostile);
    expect(called).toBe(0);
    expect(r.type).toBe('Object');
    expect(r.message).toBe('{ message: [Getter], toString: [Function] }');
  });

  it('does not hang on a getter that would never return', () => {
    const hangs = Object.create(Error.prototype, {
      message: {
        get() {
          for (;;) {}
        },
      },
      stack: { value: 'Error: x\n    at f (/app/a.js:1:1)' },
    });
    const r = normalizeError(hangs);
    expect(r.message).toBe('');
    expect(r.frames[0]?.file).toBe('/app/a.js');
  });

  it('describes a revoked Proxy without throwing', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(normalizeError(proxy)).toMatchObject({ type: 'Proxy', message: 'revoked Proxy' });
  });

  it('truncates huge messages with a marker', () => {
    const r = normalizeError(new Error('x'.repeat(100_000)));
    expect(r.message.length).toBeLessThan(limits.MAX_MESSAGE_LENGTH + 40);
    expect(r.message.endsWith(`...[truncated ${100_000 - limits.MAX_MESSAGE_LENGTH} chars]`)).toBe(true);
    expect(r.stacktrace.length).toBeLessThan(limits.MAX_STACKTRACE_LENGTH + 40);
  });

  it('adds the header SpiderMonkey and JavaScriptCore leave out of the stack', () => {
    const firefoxLike = Object.assign(Object.create(Error.prototype), {
      name: 'TypeError',
      message: 'x is undefined',
      stack: 'foo@http://app.example/main.js:10:5\n@http://app.example/main.js:20:1\n',
    });
    const r = normalizeError(firefoxLike);
    expect(r.stacktrace).toBe(
      'TypeError: x is undefined\nfoo@http://app.example/main.js:10:5\n@http://app.example/main.js:20:1',
    );
    expect(r.frames.map((f) => f.line)).toEqual([10, 20]);
  });

  it('never takes a message line that looks like a frame for a frame', () => {
    const err = new Error('request failed\n    at https://api.example/v1 (upstream said so:1:2)');
    const r = normalizeError(err);
    expect(r.frames.every((f) => !f.file?.includes('upstream'))).toBe(true);
  });

  it('unwraps events: ErrorEvent.error, PromiseRejectionEvent.reason, CustomEvent.detail.reason', () => {
    const errorEvent = fakeEvent('ErrorEvent', { type: 'error', error: new SyntaxError('bad token') });
    expect(normalizeError(errorEvent)).toMatchObject({ type: 'SyntaxError', message: 'bad token' });
    const rejection = fakeEvent('PromiseRejectionEvent', { type: 'unhandledrejection', reason: 'nope' });
    expect(normalizeError(rejection)).toMatchObject({ type: 'string', message: 'nope' });
    const custom = fakeEvent('CustomEvent', { type: 'unhandledrejection', detail: { reason: new Error('bluebird') } });
    expect(normalizeError(custom)).toMatchObject({ type: 'Error', message: 'bluebird' });
  });

  it('reports a cross-origin "Script error." with the location the event carries', () => {
    const scriptError = fakeEvent('ErrorEvent', {
      type: 'error',
      error: null,
      message: 'Script error.',
      filename: 'https://cdn.example/lib.js',
      lineno: 0,
      colno: 0,
    });
    expect(normalizeError(scriptError)).toMatchObject({
      type: 'Error',
      message: 'Script error.',
      frames: [{ file: 'https://cdn.example/lib.js' }],
    });
  });

  it('reports an ErrorEvent without its error (a Web Worker) by the event: type, message, one frame', () => {
    // Chromium's event on the Worker and on window: error null, the message prefixed with "Uncaught".
    const worker = fakeEvent('ErrorEvent', {
      type: 'error',
      error: null,
      message: 'Uncaught RangeError: from a worker',
      filename: 'https://shop.example/js/worker.js',
      lineno: 3,
      colno: 11,
    });
    const r = normalizeError(worker);
    expect(r).toMatchObject({
      type: 'RangeError',
      message: 'from a worker',
      frames: [{ file: 'https://shop.example/js/worker.js', line: 3, column: 11, inApp: true }],
    });
    expect(r.frames).toHaveLength(1);
    expect(r.stacktrace).toBe('RangeError: from a worker\n    at https://shop.example/js/worker.js:3:11');
    // A value that is not an error, thrown in a worker: what the message says.
    const thrownNull = fakeEvent('ErrorEvent', {
      type: 'error',
      error: null,
      message: 'Uncaught null',
      filename: 'https://shop.example/w.js',
      lineno: 1,
      colno: 1,
    });
    expect(normalizeError(thrownNull)).toMatchObject({ type: 'null', message: 'null' });
    const thrownString = fakeEvent('ErrorEvent', {
      type: 'error',
      error: null,
      message: 'Uncaught out of stock',
      filename: 'https://shop.example/w.js',
    });
    expect(normalizeError(thrownString)).toMatchObject({ type: 'Error', message: 'out of stock' });
  });

  it('never ships the body of a data: or blob: URL as a file name, in frames or in the stack text', () => {
    const body = "throw new Error('token=SECRET_BODY')";
    const fromData = fakeEvent('ErrorEvent', {
      type: 'error',
      error: null,
      message: 'Uncaught Error: token=x',
      filename: `data:text/javascript,${body}`,
      lineno: 1,
      colno: 7,
    });
    const r = normalizeError(fromData);
    expect(r.frames).toEqual([{ file: '<data:text/javascript>', line: 1, column: 7, inApp: true }]);
    expect(r.stacktrace).toBe('Error: token=x\n    at <data:text/javascript>:1:7');
    const blob = 'blob:https://shop.example/0b0e2ad4-3c1f-4e55-9a6e-2b8c6f1d9e7a';
    const err = new TypeError('inside');
    err.stack = [
      'TypeError: inside',
      `    at f (data:text/javascript;base64,dGhyb3cgbmV3IEVycm9yKCk=:1:20)`,
      `    at data:text/javascript,function f(){ ${body} } f():1:44`,
      `    at ${blob}:2:5`,
      `    at g (${blob}:7:1)`,
      `    at https://shop.example/app.js:10:3`,
    ].join('\n');
    const parsed = normalizeError(err);
    expect(parsed.frames.map((f) => f.file)).toEqual([
      '<data:text/javascript;base64>',
      '<data:text/javascript>',
      '<blob:https://shop.example>',
      '<blob:https://shop.example>',
      'https://shop.example/app.js',
    ]);
    expect(parsed.stacktrace).toBe(
      [
        'TypeError: inside',
        '    at f (<data:text/javascript;base64>:1:20)',
        '    at <data:text/javascript>:1:44',
        '    at <blob:https://shop.example>:2:5',
        '    at g (<blob:https://shop.example>:7:1)',
        '    at https://shop.example/app.js:10:3',
      ].join('\n'),
    );
    // Longer than a stack line the parser reads: still cut in the text. SpiderMonkey's "fn@url" too.
    const long = new Error('long');
    long.stack = `Error: long\n    at data:text/javascript,${'x'.repeat(5000)}:1:1\nf@${blob}:3:4`;
    const cut = normalizeError(long);
    expect(cut.stacktrace).toBe('Error: long\n    at <data:text/javascript>:1:1\nf@<blob:https://shop.example>:3:4');
    expect(JSON.stringify(cut)).not.toContain('xxxx');
  });

  it('describes a bare Event by its type and target', () => {
    const img = fakeEvent('Event', { type: 'error', target: { tagName: 'IMG', src: 'https://cdn.example/a.png' } });
    expect(normalizeError(img)).toMatchObject({
      type: 'Event',
      message: 'Event "error" on <img src="https://cdn.example/a.png">',
    });
  });
});

/** An object shaped like a DOM event of the given class (Node has no ErrorEvent). */
function fakeEvent(tag: string, props: Record<string, unknown>): object {
  const proto = { [Symbol.toStringTag]: tag };
  return Object.assign(Object.create(proto), props);
}
