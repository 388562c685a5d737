// Writes collector-config/faultlineprocessor/testdata/fingerprint-vectors.json: stacks and frame lists with
// the fingerprint @faultline/core gives them. The one file of vectors that core's unit tests
// (packages/core/test/fingerprint-vectors.test.ts) and the collector's Go tests
// (internal/fingerprint/vectors_test.go) both run, so that a fingerprint recomputed in the collector (from
// symbolicated frames, or for another SDK's exception) is exactly core's.
// Run after changing core's fingerprint or stack parser: pnpm -F @faultline/core build && node scripts/generate-fingerprint-vectors.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fingerprint, normalizeError } from '../packages/core/dist/index.mjs';

export const TARGET = fileURLToPath(
  new URL('../collector-config/faultlineprocessor/testdata/fingerprint-vectors.json', import.meta.url),
);
const corpus = JSON.parse(readFileSync(new URL('../packages/core/test/fixtures/stacks.json', import.meta.url), 'utf8'));

/** An Error as the engine made it: its name, message and stack exactly as the corpus holds them. */
export function errorFrom({ name, message, stack, cause }) {
  const err = new Error(message, cause ? { cause: errorFrom(cause) } : undefined);
  Object.defineProperty(err, 'name', { value: name, configurable: true, writable: true });
  Object.defineProperty(err, 'stack', { value: stack, configurable: true, writable: true });
  return err;
}

const f = (fn, file, inApp = true, native = false) => ({
  ...(fn === undefined ? {} : { function: fn }),
  ...(file === undefined ? {} : { file }),
  inApp,
  ...(native ? { native: true } : {}),
});
const emoji = '\u{1F525}';
/** Frame lists as symbolication produces them (original files and enclosing function names). */
const frameCases = [
  {
    name: 'original frames of a browser bundle',
    type: 'TypeError',
    message: "Cannot read properties of undefined (reading 'total')",
    frames: [
      f('Cart.total', 'webpack://shop/src/cart.js'),
      f('checkout', 'src/checkout.ts'),
      f('onClick', 'src/ui/button.tsx'),
    ],
  },
  {
    name: 'dependency frames are left out when app frames exist',
    type: 'Error',
    message: 'boom',
    frames: [f('lodash.get', 'node_modules/lodash/get.js', false), f('render', 'src/app.js')],
  },
  {
    name: 'only dependency and native frames',
    type: 'RangeError',
    message: 'Maximum call stack size exceeded',
    frames: [f('Array.map', 'native', false, true), f('x', 'https://cdn.example/lib/vendor.js', false)],
  },
  {
    name: 'more than five app frames',
    type: 'Error',
    message: 'deep',
    frames: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => f(n, `src/${n}.js`)),
  },
  {
    name: 'anonymous frames and no file',
    type: 'Error',
    message: 'x',
    frames: [f(undefined, 'src/a.js'), f('b', undefined)],
  },
  { name: 'no frames', type: 'SyntaxError', message: 'Unexpected token < in JSON at position 0', frames: [] },
  {
    name: 'hashed file names, query and hash',
    type: 'Error',
    message: 'y',
    frames: [
      f('e', 'https://shop.example/assets/app.3f9a1c2d.js?v=2#x'),
      f('t', 'https://shop.example/chunk-deadbeef12.js'),
    ],
  },
  {
    name: 'a bare origin and a Windows path',
    type: 'Error',
    message: 'z',
    frames: [f('a', 'https://shop.example'), f('b', 'C:\\srv\\app\\index.js')],
  },
  {
    name: 'message: URL, email, UUID, hex, quotes, numbers',
    type: 'Error',
    message:
      'GET https://api.example/v1/users/42?x=1 failed for bob@example.com id 123e4567-e89b-12d3-a456-426614174000 at 0xdeadBEEF "quoted value" \'single\' `tick` 3.14 1,000 12:30',
    frames: [],
  },
  {
    name: 'message: hex ids need a digit and a letter',
    type: 'Error',
    message: 'ids deadbeefcafe 12345678 abcdefab 0123abcd99 g0123abcd9 0123abcd_9 0XFF',
    frames: [],
  },
  { name: 'message: 0X without 0x is not a hex literal', type: 'Error', message: 'value 0XFF', frames: [] },
  {
    name: 'message: redaction placeholders',
    type: 'Error',
    message: 'card [REDACTED:card] token [REDACTED:github-token] and [REDACTED]',
    frames: [],
  },
  {
    name: 'message: JavaScript whitespace',
    type: 'Error',
    message: '\u00a0 a\u2003\u2003b\tc\n\nd\u3000\ufeff ',
    frames: [],
  },
  {
    name: 'message: Kelvin sign is not k to JavaScript',
    type: 'Error',
    message: 'h\u212Attps://x.example/ \u212Aey',
    frames: [],
  },
  {
    name: 'message: non-ASCII and astral characters',
    type: 'Error',
    message: `Ünïcödé ${emoji} 名前 12`,
    frames: [f('ф', 'src/ü.js')],
  },
  {
    name: 'message: an astral character cut by the 1024 limit',
    type: 'Error',
    message: `${'a'.repeat(1023)}${emoji}tail`,
    frames: [],
  },
  {
    name: 'message: an astral character cut by the 512 limit',
    type: 'Error',
    message: `${'b'.repeat(511)}${emoji}tail`,
    frames: [],
  },
  { name: 'message: long with numbers', type: 'Error', message: 'n 1 '.repeat(400), frames: [] },
];

/** Thrown errors beyond the corpus: cause chains, names that differ from the type, data: URLs. */
const extraThrown = [
  {
    id: 'cause_chain',
    name: 'Error',
    message: 'checkout failed',
    stack:
      'Error: checkout failed\n    at pay (https://shop.example/app.js:1:200)\n    at https://shop.example/app.js:1:900',
    cause: {
      name: 'TypeError',
      message: 'x is undefined',
      stack: 'TypeError: x is undefined\n    at total (https://shop.example/app.js:1:50)',
    },
  },
  {
    id: 'data_url_frame',
    name: 'Error',
    message: 'in a worker',
    stack:
      'Error: in a worker\n    at onmessage (data:text/javascript;base64,dGhyb3c=:1:7)\n    at blob:https://shop.example/0b0e1c2d-aaaa-bbbb-cccc-123456789012:3:9',
  },
  {
    id: 'message_line_looks_like_a_frame',
    name: 'Error',
    message: 'failed\n    at fake (https://evil.example/x.js:1:1)',
    stack: 'Error: failed\n    at fake (https://evil.example/x.js:1:1)\n    at real (https://shop.example/app.js:2:3)',
  },
  {
    id: 'node_frames',
    name: 'TypeError',
    message: "Cannot read properties of null (reading 'id')",
    stack:
      "TypeError: Cannot read properties of null (reading 'id')\n    at handler (/srv/app/routes/user.js:14:22)\n    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
  },
];

export function vectors() {
  const frames = frameCases.map((c) => ({ ...c, fingerprint: fingerprint(c) }));
  const thrown = [
    ...corpus.map((c) => ({ id: c.id, name: c.name ?? 'Error', message: c.message ?? '', stack: c.stack })),
    ...extraThrown,
  ];
  const stacks = thrown.map(({ id, ...t }) => {
    const record = normalizeError(errorFrom(t));
    return {
      name: id,
      thrown: t,
      type: record.type,
      message: record.message,
      stacktrace: record.stacktrace,
      fingerprint: fingerprint(record),
    };
  });
  return {
    description:
      "@faultline/core's fingerprint of frame lists and of thrown errors (type, message and stacktrace as the agent sends them). Written by scripts/generate-fingerprint-vectors.mjs; run by core's unit tests and the collector's Go tests.",
    frames,
    stacks,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(TARGET, `${JSON.stringify(vectors(), null, 1)}\n`);
  console.log(`wrote ${TARGET}`);
}
