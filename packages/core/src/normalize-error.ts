// Any thrown value (Error, DOMException, string, null, a plain object, an Event, a revoked Proxy...) becomes
// one ExceptionRecord. Never throws, and never runs the thrower's code: see safe-read.ts.

import { BoundedCache } from './bounded-cache';
import {
  MAX_CAUSE_DEPTH,
  MAX_CAUSES,
  MAX_MESSAGE_LENGTH,
  MAX_OBJECT_KEYS,
  MAX_PREVIEW_VALUE_LENGTH,
  MAX_STACKTRACE_LENGTH,
  STACK_CACHE_ENTRIES,
} from './limits';
import { parseStack, parseStackLine, withoutUrlBodies, withoutUrlBody } from './parse-stack';
import { constructorName, isObjectLike, safeGet, safeKeys, safeOwn, safeString } from './safe-read';
import type { CauseRecord, ExceptionRecord, StackFrame } from './types';

/** How many event wrappers (PromiseRejectionEvent → CustomEvent → ...) are unwrapped at most. */
const MAX_UNWRAP = 3;

const frameCache = new BoundedCache<string, StackFrame[]>(STACK_CACHE_ENTRIES);

/**
 * parseStack with a cache keyed by the stack body (the frames below the message): an error thrown again
 * from the same place has the same body. The frames are shared between records and never mutated.
 */
function parseStackCached(body: string): StackFrame[] {
  let frames = frameCache.get(body);
  if (!frames) {
    // Frozen: shared by every repeat of this error, so nobody may change them.
    frames = Object.freeze(parseStack(body).map((f) => Object.freeze(withoutFileBody(f)))) as StackFrame[];
    frameCache.set(body, frames);
  }
  return frames;
}

/** A frame whose file is a data: or blob: URL, with the URL cut to its media type or origin. */
function withoutFileBody(frame: StackFrame): StackFrame {
  if (frame.file) frame.file = withoutUrlBody(frame.file);
  return frame;
}

/** One value described: what a record or a cause holds, plus the text it contributes to the stacktrace. */
interface Described {
  type: string;
  message: string;
  frames: StackFrame[];
  /** This value's own section of `exception.stacktrace`. */
  text: string;
  /** The value whose `cause` / `errors` continue the chain (the unwrapped error, not its event). */
  source: unknown;
}

/** Turns any thrown value into an ExceptionRecord. Never throws. */
export function normalizeError(value: unknown): ExceptionRecord {
  try {
    const root = describe(value);
    const seen = new Set<unknown>([value, root.source]);
    const causes: Cause[] = [];
    collectCauses(root.source, 1, seen, causes);
    let stacktrace = root.text;
    for (const cause of causes) {
      const label = cause.relation === 'cause' ? 'Caused by: ' : `Caused by (${cause.relation}): `;
      stacktrace += `\n${label}${cause.text}`;
    }
    const record: ExceptionRecord = {
      type: root.type,
      message: root.message,
      stacktrace: truncate(stacktrace, MAX_STACKTRACE_LENGTH),
      frames: root.frames,
      causes: causes.map(({ text, source, ...cause }) => cause),
    };
    // Only objects carry a code or a status; `throw "x"` has neither.
    if (isObjectLike(root.source)) {
      let code = errorCode(root.source);
      for (let i = 0; code === undefined && i < causes.length; i++) code = errorCode(causes[i]?.source);
      if (code !== undefined) record.code = code;
      const status = httpStatus(root.source) ?? httpStatus(safeOwn(root.source, 'response'));
      if (status !== undefined) record.status = status;
    }
    return record;
  } catch {
    // Unreachable by design (every read is guarded); kept so a bug here can never lose the report.
    return {
      type: 'Error',
      message: 'faultline could not read the thrown value',
      stacktrace: '',
      frames: [],
      causes: [],
    };
  }
}

/** A code worth matching: a short string (`ECONNREFUSED`), never a user's long text. Own properties only,
 * as Node, undici, axios and http-errors set them on the instance: no prototype walk on every error. */
function errorCode(value: unknown): string | undefined {
  const code = safeOwn(value, 'code');
  return typeof code === 'string' && code.length > 0 && code.length <= 64 ? code : undefined;
}

/** `status` or `statusCode` (fetch Response, axios, http-errors, Fastify, got...), when it is an HTTP status. */
function httpStatus(value: unknown): number | undefined {
  for (const key of ['status', 'statusCode']) {
    const status = safeOwn(value, key);
    if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599) return status;
  }
  return undefined;
}

type Cause = CauseRecord & { text: string; source: unknown };

function collectCauses(parent: unknown, depth: number, seen: Set<unknown>, out: Cause[]) {
  if (depth > MAX_CAUSE_DEPTH || !isObjectLike(parent)) return;
  const links: [string, unknown][] = [];
  const cause = safeGet(parent, 'cause');
  if (cause !== undefined) links.push(['cause', cause]);
  const errors = safeGet(parent, 'errors');
  if (isArray(errors)) {
    const n = Math.min(safeLength(errors), MAX_CAUSES);
    for (let i = 0; i < n; i++) links.push([`errors[${i}]`, safeGet(errors, i)]);
  }
  for (const [relation, value] of links) {
    if (out.length >= MAX_CAUSES) return;
    if (isObjectLike(value)) {
      if (seen.has(value)) continue; // cycles: err.cause = err, or a → b → a
      seen.add(value);
    }
    const d = describe(value);
    out.push({ relation, depth, type: d.type, message: d.message, frames: d.frames, text: d.text, source: d.source });
    collectCauses(d.source, depth + 1, seen, out);
  }
}

/** The built-in error prototypes of this realm: a value made from one of them is an error, not an event. */
const BUILTIN_ERROR_PROTOTYPES = new Set<unknown>(
  ['Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'AggregateError']
    .map((name) => (globalThis as Record<string, { prototype?: unknown } | undefined>)[name]?.prototype)
    .filter((proto) => proto !== undefined),
);

function hasBuiltinErrorPrototype(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return BUILTIN_ERROR_PROTOTYPES.has(Object.getPrototypeOf(value));
  } catch {
    return false; // revoked proxy
  }
}

function describe(value: unknown): Described {
  // The common case, `new TypeError(...)` and its kin, straight to describeError: the event and shape
  // checks below walk the prototype chain for several properties.
  if (hasBuiltinErrorPrototype(value)) return describeError(value as object);
  let current = value;
  for (let i = 0; i < MAX_UNWRAP; i++) {
    const inner = unwrapEvent(current);
    if (inner === undefined) break;
    current = inner.value;
  }
  const kind = typeof current;
  if (kind === 'symbol') return primitive(kind, symbolText(current as symbol), current);
  if (kind === 'function') return primitive(kind, `function ${safeString(current, 'name') || '(anonymous)'}`, current);
  // Strings, numbers, booleans, bigints and undefined are their own text.
  if (kind !== 'object') return primitive(kind, String(current), current);
  if (current === null) return primitive('null', 'null', current);
  const obj = current as object;
  if (isRevoked(obj)) return primitive('Proxy', 'revoked Proxy', obj);
  if (isErrorLike(obj)) return describeError(obj);
  if (isEventLike(obj)) return describeEvent(obj);
  return describeObject(obj);
}

function primitive(type: string, message: string, source: unknown): Described {
  const msg = truncate(message, MAX_MESSAGE_LENGTH);
  return { type, message: msg, frames: [], text: headerLine(type, msg), source };
}

function describeError(err: object): Described {
  const name = safeString(err, 'name');
  const ctor = constructorName(err);
  // `class MyError extends Error {}` keeps name "Error"; its constructor says what it is.
  const type = name && name !== 'Error' ? name : ctor && ctor !== 'Object' ? ctor : name || 'Error';
  const rawMessage = safeString(err, 'message') ?? '';
  const message = truncate(rawMessage, MAX_MESSAGE_LENGTH);
  const stack = safeString(err, 'stack');
  if (!stack) return { type, message, frames: [], text: headerLine(type, message), source: err };
  // V8 and Chakra start the stack with "Name: message"; parse below it, so that a message line that
  // looks like a frame is never taken for one.
  const header = headerLine(name || 'Error', rawMessage);
  const body = stack.startsWith(header) ? stack.slice(header.length) : stack;
  const frames = parseStackCached(body);
  // SpiderMonkey and JavaScriptCore print frames only: add the header other runtimes print.
  const firstLine = stack.slice(0, stack.indexOf('\n') >>> 0).trim();
  const hasHeader = firstLine !== '' && !parseStackLine(firstLine);
  // The message is the app's own text; only the frames below it have their data:/blob: URLs cut.
  const trimmed = trimTrailingNewlines(body === stack ? withoutUrlBodies(stack) : header + withoutUrlBodies(body));
  const text = hasHeader ? trimmed : `${headerLine(type, message)}\n${trimmed}`;
  return { type, message, frames, text: truncate(text, MAX_STACKTRACE_LENGTH), source: err };
}

/** Event, ErrorEvent, PromiseRejectionEvent, CustomEvent: browser events (and Node's EventTarget events). */
function isEventLike(value: object): boolean {
  const tag = safeGet(value, Symbol.toStringTag);
  if (typeof tag === 'string') return tag.endsWith('Event');
  const ctor = constructorName(value);
  return ctor?.endsWith('Event') === true && typeof safeGet(value, 'type') === 'string';
}

/** The real error behind an event: ErrorEvent.error, PromiseRejectionEvent.reason, CustomEvent.detail.reason. */
function unwrapEvent(value: unknown): { value: unknown } | undefined {
  if (!isObjectLike(value) || !isEventLike(value)) return undefined;
  const error = safeGet(value, 'error');
  if (error !== undefined && error !== null) return { value: error };
  const reason = safeGet(value, 'reason');
  if (reason !== undefined) return { value: reason };
  const detail = safeGet(value, 'detail');
  if (isObjectLike(detail)) {
    const detailReason = safeGet(detail, 'reason');
    if (detailReason !== undefined) return { value: detailReason };
  }
  return undefined;
}

function describeEvent(event: object): Described {
  const tag = safeGet(event, Symbol.toStringTag);
  const type = typeof tag === 'string' ? tag : (constructorName(event) ?? 'Event');
  const eventType = safeString(event, 'type') ?? '';
  const errorMessage = safeString(event, 'message');
  if (errorMessage !== undefined) {
    // An ErrorEvent whose error is missing: a Web Worker's error (on the Worker, and on window after it),
    // a cross-origin script ("Script error."), `throw null`. The message and the location the event
    // carries are all there is: the type is read back from the message, the location is the one frame.
    const { type: thrownType, message } = uncaughtMessage(errorMessage);
    const file = safeString(event, 'filename');
    const line = safeGet(event, 'lineno');
    const column = safeGet(event, 'colno');
    const frames: StackFrame[] = [];
    let text = headerLine(thrownType, message);
    if (file) {
      const frame: StackFrame = { file: withoutUrlBody(file), inApp: true };
      if (typeof line === 'number' && line > 0) frame.line = line;
      if (typeof column === 'number' && column > 0) frame.column = column;
      frames.push(frame);
      text += `\n    at ${frame.file}${frame.line ? `:${frame.line}` : ''}${frame.column ? `:${frame.column}` : ''}`;
    }
    return { type: thrownType, message: truncate(message, MAX_MESSAGE_LENGTH), frames, text, source: event };
  }
  const target = describeTarget(safeGet(event, 'target'));
  const message = truncate(`${type} "${eventType}"${target ? ` on ${target}` : ''}`, MAX_MESSAGE_LENGTH);
  return { type, message, frames: [], text: headerLine(type, message), source: event };
}

/**
 * An ErrorEvent's message as the browser wrote it for an uncaught value: "Uncaught TypeError: x" (Chromium),
 * "uncaught exception: x" (Firefox, for values that are not errors), or the bare "TypeError: x". The
 * prefix goes; a leading `Name: ` is the type; a bare `null` or `undefined` is that value.
 */
function uncaughtMessage(text: string): { type: string; message: string } {
  const rest = text.replace(/^(?:Uncaught |uncaught exception: )/, '');
  if (rest === 'null' || rest === 'undefined') return { type: rest, message: rest };
  const named = /^([A-Z][\w$]{0,99}): /.exec(rest);
  return named ? { type: named[1] as string, message: rest.slice(named[0].length) } : { type: 'Error', message: rest };
}

/** `<img src="...">` for DOM elements, the constructor name for anything else. */
function describeTarget(target: unknown): string | undefined {
  if (!isObjectLike(target)) return undefined;
  const tagName = safeString(target, 'tagName');
  if (!tagName) return constructorName(target);
  const url = safeString(target, 'src') || safeString(target, 'href');
  return `<${tagName.toLowerCase()}${url ? ` ${safeString(target, 'src') ? 'src' : 'href'}="${clip(url)}"` : ''}>`;
}

/** A thrown plain object or class instance: its own message/name if it has them, else a key preview. */
function describeObject(obj: object): Described {
  const ctor = constructorName(obj) ?? 'Object';
  const ownMessage = safeString(obj, 'message');
  // `{ name, message }` is an error in all but class; `{ name: "bob" }` alone is not.
  const name = ownMessage !== undefined ? safeString(obj, 'name') : undefined;
  const type = name && name.length <= 100 ? name : ctor;
  const message = truncate(ownMessage ?? preview(obj), MAX_MESSAGE_LENGTH);
  const stack = safeString(obj, 'stack');
  const frames = stack ? parseStack(stack).map(withoutFileBody) : [];
  const text = stack ? `${headerLine(type, message)}\n${withoutUrlBodies(stack)}` : headerLine(type, message);
  return { type, message, frames, text: truncate(text, MAX_STACKTRACE_LENGTH), source: obj };
}

/** `{ code: 42, reason: "timeout" }`: a useful message from a thrown object's own keys. */
function preview(obj: object): string {
  if (isArray(obj)) {
    const n = safeLength(obj);
    const items: string[] = [];
    for (let i = 0; i < Math.min(n, MAX_OBJECT_KEYS); i++) items.push(previewValue(safeGet(obj, i)));
    return `[${items.join(', ')}${n > MAX_OBJECT_KEYS ? ', ...' : ''}]`;
  }
  const keys = safeKeys(obj, MAX_OBJECT_KEYS + 1);
  if (keys.length === 0) return '{}';
  const shown = keys
    .slice(0, MAX_OBJECT_KEYS)
    .map((k) => `${k}: ${isAccessor(obj, k) ? '[Getter]' : previewValue(safeGet(obj, k))}`);
  return `{ ${shown.join(', ')}${keys.length > MAX_OBJECT_KEYS ? ', ...' : ''} }`;
}

function previewValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(clip(v));
  if (typeof v === 'symbol') return symbolText(v);
  if (typeof v === 'function') return '[Function]';
  // Numbers, booleans, bigints, undefined and null are their own text.
  if (typeof v !== 'object' || v === null) return String(v);
  if (isArray(v)) return `[Array(${safeLength(v)})]`;
  return `[${constructorName(v) ?? 'Object'}]`;
}

function isAccessor(obj: object, key: string): boolean {
  try {
    const desc = Object.getOwnPropertyDescriptor(obj, key);
    return desc !== undefined && !('value' in desc);
  } catch {
    return false;
  }
}

function isErrorLike(value: object): boolean {
  try {
    if (value instanceof Error) return true;
  } catch {
    // instanceof on a revoked proxy throws
  }
  // Errors from another realm (iframe, vm context) fail instanceof; their shape gives them away.
  return typeof safeGet(value, 'stack') === 'string' && typeof safeGet(value, 'message') === 'string';
}

/** A revoked Proxy throws on every operation; getPrototypeOf is the cheapest to try. */
function isRevoked(value: object): boolean {
  try {
    Object.getPrototypeOf(value);
    return false;
  } catch {
    return true;
  }
}

function isArray(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false; // revoked proxy
  }
}

function safeLength(arr: unknown[]): number {
  const n = safeGet(arr, 'length');
  return typeof n === 'number' && n >= 0 ? n : 0;
}

function symbolText(s: symbol): string {
  try {
    return `Symbol(${s.description ?? ''})`;
  } catch {
    return 'Symbol()';
  }
}

function trimTrailingNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 10) end--;
  return end === text.length ? text : text.slice(0, end);
}

function headerLine(type: string, message: string): string {
  return message ? `${type}: ${message}` : type;
}

function clip(s: string): string {
  return s.length > MAX_PREVIEW_VALUE_LENGTH ? `${s.slice(0, MAX_PREVIEW_VALUE_LENGTH)}...` : s;
}

/** Cuts text to `max` characters with a visible marker saying how much was cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}...[truncated ${text.length - max} chars]`;
}
