// Parses `error.stack` text from V8 (Chrome, Edge, Node, Hermes), SpiderMonkey (Firefox), JavaScriptCore
// (Safari) and Chakra into frames. Written line by line with string scans rather than one big regex:
// every step is linear in the line length, so hostile input cannot cause catastrophic backtracking.
// Conventions (which name or file to keep) follow shared/fixtures/README.md.
import { MAX_FRAMES, MAX_STACK_INPUT_LENGTH, MAX_STACK_LINE_LENGTH } from './limits';
import type { StackFrame } from './types';

/** Parses a stack string into frames, innermost first. Unknown lines are skipped; never throws. */
export function parseStack(stack: unknown): StackFrame[] {
  const frames: StackFrame[] = [];
  if (typeof stack !== 'string' || stack.length === 0) return frames;
  try {
    const text = stack.length > MAX_STACK_INPUT_LENGTH ? stack.slice(0, MAX_STACK_INPUT_LENGTH) : stack;
    for (const rawLine of text.split('\n')) {
      if (frames.length >= MAX_FRAMES) break;
      if (rawLine.length > MAX_STACK_LINE_LENGTH) continue;
      const frame = parseStackLine(rawLine.trim());
      if (frame) frames.push(withInApp(frame));
    }
  } catch {
    // A parser bug must not cost the report: return what was parsed so far.
  }
  return frames;
}

/** Parses one trimmed stack line, or returns undefined when it is not a frame. */
export function parseStackLine(line: string): StackFrame | undefined {
  if (line.length === 0) return undefined;
  if (line.startsWith('at ')) return parseV8Line(line.slice(3).trimStart());
  if (line.includes('@')) return parseGeckoLine(line);
  return parseBareLocationLine(line);
}

// ---- V8 / Chakra / Hermes: "at fn (location)", "at location", "at async fn (location)" ----

function parseV8Line(rest: string): StackFrame | undefined {
  let isAsync = false;
  if (rest.startsWith('async ')) {
    isAsync = true;
    rest = rest.slice(6);
  }
  let fnPart: string | undefined;
  let locPart = rest;
  if (rest.endsWith(')')) {
    const open = matchingOpenParen(rest, rest.length - 1);
    if (open < 0) return undefined;
    fnPart = rest.slice(0, open).trim();
    locPart = rest.slice(open + 1, -1);
    if (fnPart.startsWith('(')) return undefined; // "at (error: (...))": not a frame V8 prints
    // Safari web extensions print "at fn@safari-web-extension:(//id/file.js:1:2)".
    const scheme = fnPart.endsWith(':') ? /^(?:(.*)@)?([a-z][\w+.-]*):$/i.exec(fnPart) : null;
    if (scheme) {
      fnPart = scheme[1] ?? '';
      locPart = `${scheme[2]}:${locPart}`;
    }
  }
  const frame: StackFrame = {};
  const name = v8FunctionName(fnPart);
  if (name !== undefined) frame.function = name;
  if (locPart.startsWith('async ')) {
    isAsync = true;
    locPart = locPart.slice(6);
  }
  if (locPart.startsWith('address at ')) locPart = locPart.slice(11); // Hermes
  if (!parseV8Location(locPart, frame, fnPart !== undefined)) return undefined;
  if (isAsync) frame.async = true;
  return frame;
}

function v8FunctionName(fnPart: string | undefined): string | undefined {
  if (fnPart === undefined || fnPart === '' || fnPart === '<anonymous>' || fnPart === '?') return undefined;
  return fnPart;
}

/** Fills file/line/column (and eval, wasm, native, promise_index) of a V8 location; false if it is none. */
function parseV8Location(loc: string, frame: StackFrame, parenthesized: boolean): boolean {
  if (loc === 'native' || loc === 'native code' || (loc === '<anonymous>' && parenthesized)) {
    frame.file = loc;
    frame.native = true;
    return true;
  }
  const promiseIndex = loc.startsWith('index ') ? /^index (\d+)$/.exec(loc) : null;
  if (promiseIndex) {
    frame.promise_index = Number(promiseIndex[1]);
    return true;
  }
  if (loc.startsWith('eval at ')) return parseV8Eval(loc, frame);
  return parseFileLocation(loc, frame);
}

/**
 * "eval at outer (LOCATION), <anonymous>:1:30", possibly nested. The frame gets the outermost real call
 * site (where eval was called from a file) and `eval` the position inside this level's evaluated code.
 */
function parseV8Eval(loc: string, frame: StackFrame): boolean {
  const comma = loc.lastIndexOf(', ');
  const head = comma > 0 ? loc.slice(0, comma) : loc;
  if (comma > 0) {
    const evalPos: StackFrame = {};
    if (parseFileLocation(loc.slice(comma + 2), evalPos)) {
      frame.eval = { file: evalPos.file, line: evalPos.line, column: evalPos.column };
    }
  }
  let inner = head;
  // Peel "eval at fn (...)" layers down to the file that first called eval.
  for (let depth = 0; inner.startsWith('eval at ') && depth < 16; depth++) {
    if (!inner.endsWith(')')) {
      // "eval at fn (url), <anonymous>:1:2" one level down: drop the evaluated position.
      const c = inner.lastIndexOf(', ');
      if (c < 0) return false;
      inner = inner.slice(0, c);
      continue;
    }
    const open = matchingOpenParen(inner, inner.length - 1);
    if (open < 0) return false;
    inner = inner.slice(open + 1, -1);
  }
  return parseFileLocation(inner, frame);
}

// ---- SpiderMonkey / JavaScriptCore: "fn@location", "@location", "location" ----

function parseGeckoLine(line: string): StackFrame | undefined {
  const at = separatorAt(line);
  if (at < 0) return parseBareLocationLine(line);
  let fn = line.slice(0, at);
  const loc = line.slice(at + 1);
  if (/\s/.test(fn) && fn !== 'global code' && fn !== 'eval code') return undefined;
  const frame: StackFrame = {};
  // Firefox < 30 printed argument lists: "bar(1)@url", "()@url", "(null)@url".
  const args = /^([^()]*)\(.*\)$/.exec(fn);
  if (args) fn = args[1] ?? '';
  if (fn !== '') frame.function = fn;
  if (loc === '[native code]') {
    frame.file = loc;
    frame.native = true;
    return frame;
  }
  if (loc === '[wasm code]') {
    frame.file = loc;
    frame.wasm = {};
    return frame;
  }
  // Firefox eval and Function frames: "url line 26 > eval line 2 > eval:1:30".
  const gEval = /^(\S+) line (\d+) > ((?:eval|Function)(?: line \d+ > (?:eval|Function))*):(\d+):(\d+)$/.exec(loc);
  if (gEval) {
    frame.file = gEval[1];
    frame.line = Number(gEval[2]);
    frame.eval = { kind: gEval[3], line: Number(gEval[4]), column: Number(gEval[5]) };
    return frame;
  }
  if (/\s/.test(loc)) return undefined;
  return parseFileLocation(loc, frame) ? frame : undefined;
}

/** Index of the "@" separating function from location: the first one outside brackets and quotes. */
function separatorAt(line: string): number {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === '@' && depth === 0) return i;
  }
  return -1;
}

/** Safari and JSC print anonymous frames as a bare location: "http://x/file.js:48:22". */
function parseBareLocationLine(line: string): StackFrame | undefined {
  if (/\s/.test(line) || !/:\d+$/.test(line) || !/[./]/.test(line)) return undefined;
  const frame: StackFrame = {};
  return parseFileLocation(line, frame) && frame.line !== undefined ? frame : undefined;
}

// ---- shared: "file:line:col", "file:line", "file", wasm ----

function parseFileLocation(loc: string, frame: StackFrame): boolean {
  if (loc.length === 0) return false;
  const wasm = loc.includes(':wasm-function[') ? /^(.*):wasm-function\[(\d+)\]:(0x[0-9a-f]+)$/i.exec(loc) : null;
  if (wasm) {
    frame.file = wasm[1];
    frame.wasm = { function_index: Number(wasm[2]), offset: wasm[3] };
    return true;
  }
  let file = loc;
  const last = trailingNumber(file);
  if (last) {
    file = last.rest;
    const prev = trailingNumber(file);
    if (prev) {
      file = prev.rest;
      frame.line = prev.value;
      frame.column = last.value;
    } else {
      frame.line = last.value;
    }
  } else if (/\s/.test(loc) || !/[./\\]/.test(loc)) {
    // Without a position, only something that looks like a path or URL is a location; this keeps
    // message lines such as "at the end of the request" from being read as frames.
    return false;
  }
  if (file.length === 0) return false;
  frame.file = file;
  return true;
}

/** Splits "rest:123" into rest and 123 when the text ends in a colon and digits. */
function trailingNumber(text: string): { rest: string; value: number } | undefined {
  let i = text.length;
  while (i > 0 && isDigit(text.charCodeAt(i - 1))) i--;
  if (i === text.length || i === 0 || text[i - 1] !== ':' || text.length - i > 9) return undefined;
  return { rest: text.slice(0, i - 1), value: Number(text.slice(i)) };
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Index of the "(" matching the ")" at `close`, scanning backwards; -1 if unbalanced. */
function matchingOpenParen(text: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const c = text[i];
    if (c === ')') depth++;
    else if (c === '(') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

// ---- data: and blob: URLs: the script itself, or a random id, never a file name ----
// Not applied by parseStack, which returns files exactly as printed (shared/fixtures/README.md):
// normalizeError applies them to every frame and every stack text of a record.

/**
 * `data:text/javascript,throw…` → `<data:text/javascript>`, `blob:https://shop.example/0b0e…` →
 * `<blob:https://shop.example>`. A data: URL's body is the whole script (what a worker or an inline module was
 * made from, secrets included), and a blob: URL's id changes with every page load; neither says more about
 * where the error is than the media type or the origin does.
 */
export function withoutUrlBody(file: string): string {
  if (file.startsWith('data:'))
    return `<data:${/^data:([\w.+-]{1,40}\/[\w.+-]{1,60}(?:;base64)?)?/.exec(file)?.[1] ?? ''}>`;
  if (file.startsWith('blob:')) return `<blob:${/^blob:([a-z][\w+.-]*:\/\/[^/\s]*|null)?/i.exec(file)?.[1] ?? ''}>`;
  return file;
}

/** Where a data: or blob: URL starts in a stack line: the line's start, or after a space, "(" or "@". */
const URL_WITH_BODY = /(^|[\s(@])(?:data|blob):/;
/** The position a frame line ends with: ":line", ":line:column", and the ")" closing it. */
const TRAILING_POSITION = /(?::\d+){1,2}\)?$/;

/**
 * The same cut in stack text, line by line. The URL runs to the position at the end of the line (it may
 * hold spaces and parentheses, so nothing shorter is safe), or to the end of the line; lines too long to
 * be parsed are cut all the same.
 */
export function withoutUrlBodies(text: string): string {
  if (!text.includes('data:') && !text.includes('blob:')) return text;
  return text
    .split('\n')
    .map((line) => {
      const found = URL_WITH_BODY.exec(line);
      if (!found) return line;
      const start = found.index + (found[1] as string).length;
      const position = TRAILING_POSITION.exec(line);
      const end = position && position.index > start ? position.index : line.length;
      return line.slice(0, start) + withoutUrlBody(line.slice(start, end)) + line.slice(end);
    })
    .join('\n');
}

// ---- in-app: the app's own code, as opposed to runtime internals and dependencies ----

function withInApp(frame: StackFrame): StackFrame {
  frame.inApp = isInApp(frame);
  return frame;
}

function isInApp(frame: StackFrame): boolean {
  const file = frame.file;
  if (file === undefined || frame.native) return false;
  if (file.startsWith('node:') || file.startsWith('internal/') || file === '<anonymous>') return false;
  return !file.includes('/node_modules/') && !file.includes('\\node_modules\\');
}
