// Secrets and personal data never leave the process: they are replaced in messages, stack traces, URLs and
// attributes before anything is exported. Replacements are labelled (`[REDACTED:email]`) so a reader knows
// what was there, and scrubbing is idempotent: scrubbing scrubbed text changes nothing.
// The rules are the collector's: one file, collector-config/faultlineprocessor/redaction-rules.json, which
// the collector's faultline processor embeds and from which ./redaction-rules.ts is generated (issue 10,
// item 8: a rule added in one place and not the other is a leak). Its patterns are in the common subset
// of RE2 and JavaScript: no lookbehind (Safari before 16.4 rejects it and would fail to load the whole
// agent), no nested or unbounded repetition of groups, so no input costs more than linear time.

import { BoundedCache } from './bounded-cache';
import { ATTRIBUTE_CACHE_ENTRIES, MAX_CACHED_VALUE_LENGTH, STACK_CACHE_ENTRIES } from './limits';
import { DENY_KEYS, DENY_REPLACEMENT, PROTECTED_KEYS, RULES, URL_KEYS, URL_PARAMS } from './redaction-rules';
import { CHECKS, type Check, RANGE_CHECKS, type RangeCheck } from './scrub-checks';
import type { ExceptionRecord, StackFrame } from './types';

export type AttributeValue = string | number | boolean | (string | number | boolean | null | undefined)[];
export type Attributes = Record<string, AttributeValue | undefined>;

export interface ScrubOptions {
  /** Extra patterns to replace with `[REDACTED]`: regular expressions, or strings matched literally. */
  patterns?: (RegExp | string)[];
  /** Extra attribute / query-parameter names whose whole value is replaced (matched as in DEFAULT_DENY_KEYS). */
  denyKeys?: (RegExp | string)[];
}

export interface Scrubber {
  text(text: string): string;
  url(url: string): string;
  attributes<T extends Attributes>(attributes: T): T;
  record(record: ExceptionRecord): ExceptionRecord;
}

export const REDACTED = DENY_REPLACEMENT;

/**
 * Attribute keys whose value is always replaced. A key matches an entry when it equals it or ends with it
 * after a `.`, `_` or `-` (`http.request.header.authorization`, `csrf_token`), case-insensitively.
 */
export const DEFAULT_DENY_KEYS: readonly string[] = DENY_KEYS;

interface Rule {
  /** Its place in RULES. */
  index: number;
  pattern: RegExp;
  replacement: string;
  /** Alternatives; one must hold: every `all` literal found, one `any` literal found (if any), the run held. */
  prefilter: { all: number[]; any: number[]; run: number }[];
  check?: Check;
  ranges?: RangeCheck;
}

/** A prefilter literal, matched exactly or (for ignoreCase rules) ASCII-case-insensitively. */
interface Literal {
  text: string;
  ignoreCase: boolean;
}

/** The runs' character classes (redaction-rules.json `of`). */
const RUN_CLASSES: Record<string, RegExp> = { digit: /[0-9]/, hex: /[0-9a-fA-F]/, 'upper-alnum': /[0-9A-Z]/ };

// The compiled rules and the prefilter tables: module state rather than one object, so that the script
// tag's minifier shortens every name (issue 15). Set once, by compile().
let rules: Rule[] | undefined;
let literals: Literal[];
/** One-character literals, by character code (ASCII). */
let single: (number[] | undefined)[];
/** Longer literals by their first two characters (PAIRS index): as written, and lowercased for ignoreCase. */
let byPair: (number[] | undefined)[];
let byLowerPair: (number[] | undefined)[];
/** Character code (ASCII) → bit r set when it belongs to run kind r (its class or a separator). */
let runMembers: Uint32Array;
/** Character code (ASCII) → bit r set when it is of run kind r's class. */
let runClasses: Uint32Array;
let runMin: number[];
let runMinSeps: number[];
/** Character code (ASCII) → which literals can start with it (STARTS_SINGLE, STARTS_PAIR): most start none. */
let roles: Uint8Array;

// What factsOf found in the last text: literals found, runs held (one set of buffers for every call, nothing
// here is re-entrant: no allocation per value), and whether anything was (else no rule can apply: every
// prefilter alternative needs a literal or a run).
let found: Uint8Array;
let held: Uint8Array;
let counts: Int32Array;
let seps: Int32Array;

const STARTS_SINGLE = 1;
const STARTS_PAIR = 2;

/** The shared rules, compiled on first use. A pattern this engine cannot compile is left out, not fatal.
 * (Run once: written for size rather than speed.) */
function compile(): Rule[] {
  if (rules) return rules;
  literals = [];
  single = new Array(128).fill(undefined);
  byPair = new Array(PAIRS).fill(undefined);
  byLowerPair = new Array(PAIRS).fill(undefined);
  roles = new Uint8Array(128);
  // Every literal and run gets its own id: the rules share none (a shared one would only be looked for twice).
  const literal = (text: string, ignoreCase: boolean) => {
    const id = literals.push({ text, ignoreCase }) - 1;
    // Literals are ASCII, lowercase for ignoreCase rules (the rule file says so; the tests check it): the
    // upper-case form of an ignoreCase literal's first letter starts it too.
    const first = text.charCodeAt(0);
    const index = (table: (number[] | undefined)[], at: number) => {
      const list = table[at];
      if (list) list.push(id);
      else table[at] = [id];
    };
    const firsts = ignoreCase && first >= 97 && first <= 122 ? [first, first - 32] : [first];
    for (const code of firsts) {
      roles[code] = (roles[code] as number) | (text.length === 1 ? STARTS_SINGLE : STARTS_PAIR);
      if (text.length === 1) index(single, code);
    }
    if (text.length > 1) index(ignoreCase ? byLowerPair : byPair, pair(first, text.charCodeAt(1)));
    return id;
  };
  // One bit per run kind: 32 at most (the rules have 6; the property test would catch a 33rd).
  runMembers = new Uint32Array(128);
  runClasses = new Uint32Array(128);
  runMin = [];
  runMinSeps = [];
  const run = ([of, separators, min, minSeps]: [string, string, number, number]) => {
    const bit = 1 << runMin.length;
    for (let code = 0; code < 128; code++) {
      const c = String.fromCharCode(code);
      const inClass = (RUN_CLASSES[of] as RegExp).test(c);
      if (inClass) runClasses[code] = (runClasses[code] as number) | bit;
      if (inClass || separators.includes(c)) runMembers[code] = (runMembers[code] as number) | bit;
    }
    runMinSeps.push(minSeps);
    return runMin.push(min) - 1;
  };
  const out: Rule[] = [];
  for (const [index, [source, flags, replacement, prefilter, check]] of RULES.entries()) {
    try {
      const pattern = new RegExp(source, `g${flags}`);
      const ignoreCase = flags === 'i';
      if (!CHECKS[check] && !RANGE_CHECKS[check]) continue;
      out.push({
        index,
        pattern,
        replacement,
        prefilter: prefilter.map(([all, any, r]) => ({
          all: all.map((l) => literal(l, ignoreCase)),
          any: any.map((l) => literal(l, ignoreCase)),
          run: r ? run(r) : -1,
        })),
        check: CHECKS[check],
        ranges: RANGE_CHECKS[check],
      });
    } catch {}
  }
  found = new Uint8Array(literals.length);
  held = new Uint8Array(runMin.length);
  counts = new Int32Array(runMin.length);
  seps = new Int32Array(runMin.length);
  rules = out;
  return out;
}

/**
 * What the prefilters ask about a text, in one pass: which literals occur (at any position) and which runs
 * hold (into `found` and `held`); true when any did. A typical value (a message, a stack trace) costs this
 * pass and no regular expression.
 */
function factsOf(text: string): boolean {
  // The hot loop reads locals: module `let`s read in it cost a quarter more CPU per error in Chromium.
  const roles_ = roles;
  const single_ = single;
  const byPair_ = byPair;
  const byLowerPair_ = byLowerPair;
  const runMembers_ = runMembers;
  const runClasses_ = runClasses;
  const runMin_ = runMin;
  const runMinSeps_ = runMinSeps;
  const found_ = found;
  const held_ = held;
  const counts_ = counts;
  const seps_ = seps;
  found_.fill(0);
  held_.fill(0);
  counts_.fill(0);
  seps_.fill(0);
  let any = 0;
  /** Bit r: run kind r has a segment under way (something to reset when a character breaks it). */
  let active = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const role = code < 128 ? (roles_[code] as number) : 0;
    if (role & STARTS_SINGLE) {
      const one = single_[code] as number[];
      for (let k = 0; k < one.length; k++) found_[one[k] as number] = 1;
      any = 1;
    }
    if (role & STARTS_PAIR && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next < 128) {
        const raw = byPair_[pair(code, next)];
        if (raw) any |= mark(raw, text, i, found_);
        const lowered = byLowerPair_[pair(lowerAscii(code), lowerAscii(next))];
        if (lowered) any |= mark(lowered, text, i, found_);
      }
    }
    // Runs: the kinds this character does not belong to are broken; the others count it.
    const members = code < 128 ? (runMembers_[code] as number) : 0;
    for (let broken = active & ~members; broken !== 0; broken &= broken - 1) {
      const r = 31 - Math.clz32(broken & -broken);
      counts_[r] = 0;
      seps_[r] = 0;
    }
    active = members;
    if (members === 0) continue;
    const classes = runClasses_[code] as number;
    for (let go = members; go !== 0; go &= go - 1) {
      const bit = go & -go;
      const r = 31 - Math.clz32(bit);
      if (classes & bit) counts_[r] = (counts_[r] as number) + 1;
      else seps_[r] = (seps_[r] as number) + 1;
      if ((counts_[r] as number) >= (runMin_[r] as number) && (seps_[r] as number) >= (runMinSeps_[r] as number)) {
        held_[r] = 1;
        any = 1;
      }
    }
  }
  return any === 1;
}

/** Index of a pair of ASCII character codes. */
const PAIRS = 128 * 128;
const pair = (a: number, b: number) => (a << 7) | b;
const lowerAscii = (code: number) => (code >= 65 && code <= 90 ? code + 32 : code);

/** Marks the literals of `ids` that occur at `at`; 1 when one did. */
function mark(ids: number[], text: string, at: number, found: Uint8Array): number {
  let any = 0;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k] as number;
    if (!found[id] && occursAt(text, at, literals[id] as Literal)) {
      found[id] = 1;
      any = 1;
    }
  }
  return any;
}

function occursAt(text: string, at: number, lit: Literal): boolean {
  const l = lit.text;
  if (at + l.length > text.length) return false;
  if (!lit.ignoreCase) return text.startsWith(l, at);
  for (let k = 0; k < l.length; k++) {
    let code = text.charCodeAt(at + k);
    if (code >= 65 && code <= 90) code += 32; // ASCII lowercase, as the rules' literals are
    if (code !== l.charCodeAt(k)) return false;
  }
  return true;
}

/** For tests: whether each rule's prefilter holds for `text`, by RULES index (false: left out). */
export function prefiltersHolding(text: string): boolean[] {
  const out = RULES.map(() => false);
  const list = compile();
  factsOf(text);
  for (const rule of list) out[rule.index] = passes(rule);
  return out;
}

/** True when some alternative of the rule's prefilter holds (a necessary condition for a match). */
function passes(rule: Rule): boolean {
  for (const alt of rule.prefilter) {
    if (alt.run >= 0 && !held[alt.run]) continue;
    let ok = true;
    for (const id of alt.all) if (!found[id]) ok = false;
    if (!ok) continue;
    if (alt.any.length === 0) return true;
    for (const id of alt.any) if (found[id]) return true;
  }
  return false;
}

/** Applies one rule: each match that its check accepts is replaced ($1..$9 from its groups). */
function apply(rule: Rule, text: string): string {
  return text.replace(rule.pattern, (...args: unknown[]) => {
    const match = args[0] as string;
    const offset = args[args.length - 2] as number;
    if (rule.ranges) {
      let out = '';
      let last = offset;
      for (const [from, to] of rule.ranges(text, offset, offset + match.length)) {
        out += text.slice(last, from) + rule.replacement;
        last = to;
      }
      return out + text.slice(last, offset + match.length);
    }
    const keepFrom = (rule.check as Check)(text, offset, offset + match.length);
    if (keepFrom < 0) return match;
    const replaced = rule.replacement.replace(/\$([0-9])/g, (_m, g: string) => (args[Number(g)] as string) ?? '');
    return replaced + match.slice(keepFrom - offset);
  });
}

/** Every shared rule, in order; the prefilters' facts are read again after a rule changed the text. */
function applyRules(input: string): string {
  const list = compile();
  let out = input;
  if (!factsOf(out)) return out;
  for (const rule of list) {
    if (!passes(rule)) continue;
    const next = apply(rule, out);
    if (next !== out) {
      out = next;
      factsOf(out);
    }
  }
  return out;
}

/** Creates a scrubber with the built-in rules plus the given patterns and deny keys. */
export function createScrubber(options: ScrubOptions = {}): Scrubber {
  // Options come from app code: anything but a list of strings and regular expressions is left out.
  const listed = (list: unknown) =>
    (Array.isArray(list) ? list : []).filter((p): p is RegExp | string => typeof p === 'string' || p instanceof RegExp);
  const extra = listed(options?.patterns)
    .map(toGlobalRegExp)
    .filter((r): r is RegExp => r !== undefined);
  const denyEntries = [...DEFAULT_DENY_KEYS, ...listed(options?.denyKeys)];
  // Context attributes repeat on every report (page URL, user agent, session, user...): the decision for a
  // key and the scrubbed form of a short value are kept, bounded, instead of re-running every rule.
  const deniedKeys = new BoundedCache<string, boolean>(ATTRIBUTE_CACHE_ENTRIES);
  const isDenied = (key: string) => {
    let denied = deniedKeys.get(key);
    if (denied === undefined) {
      denied = denyEntries.some((entry) => keyMatches(key, entry));
      deniedKeys.set(key, denied);
    }
    return denied;
  };
  const valueCache = new BoundedCache<string, string>(ATTRIBUTE_CACHE_ENTRIES);
  const cachedValue = (value: string, asUrl: boolean): string => {
    if (value.length > MAX_CACHED_VALUE_LENGTH) return asUrl ? url(value) : text(value);
    const cacheKey = (asUrl ? 'u' : 't') + value;
    let out = valueCache.get(cacheKey);
    if (out === undefined) {
      out = asUrl ? url(value) : text(value);
      valueCache.set(cacheKey, out);
    }
    return out;
  };

  const text = (input: string): string => {
    if (typeof input !== 'string' || input === '') return input;
    let out = applyRules(input);
    for (const pattern of extra) out = out.replace(pattern, REDACTED);
    return out;
  };

  const url = (input: string): string => {
    if (typeof input !== 'string' || input === '') return input;
    const scrubbedQuery = input.replace(/([?&;])([^=&#;]+)=([^&#;]*)/g, (m, sep: string, name: string) =>
      isDenied(name) || URL_PARAMS.includes(name.toLowerCase()) ? `${sep}${name}=${REDACTED}` : m,
    );
    return text(scrubbedQuery);
  };

  const attributes = <T extends Attributes>(attrs: T): T => {
    const out: Attributes = {};
    for (const key of Object.keys(attrs)) {
      const value = attrs[key];
      if (value === undefined) continue;
      if (PROTECTED_KEYS.includes(key)) out[key] = value;
      else if (isDenied(key)) out[key] = REDACTED;
      else if (typeof value === 'string') out[key] = cachedValue(value, isUrlKey(key));
      else if (Array.isArray(value)) out[key] = value.map((v) => (typeof v === 'string' ? text(v) : v));
      else out[key] = value;
    }
    return out as T;
  };

  // The frames part of a stack trace repeats with every error thrown from the same place: scrubbed once.
  const bodyCache = new BoundedCache<string, string>(STACK_CACHE_ENTRIES);
  const stacktrace = (input: string): string => {
    const split = input.indexOf('\n    at ');
    if (split < 0) return text(input);
    const body = input.slice(split);
    let scrubbedBody = bodyCache.get(body);
    if (scrubbedBody === undefined) {
      scrubbedBody = text(body);
      bodyCache.set(body, scrubbedBody);
    }
    return text(input.slice(0, split)) + scrubbedBody;
  };
  // Frame URLs are scrubbed only when they can hold something: a query, userinfo, an IP address. An
  // untouched frame list is kept as it is (the same array), so that its fingerprint part is cached too.
  // Frame lists are shared by every repeat of a stack (see normalizeError): their scrubbed form is too.
  const scrubbedFrames = new WeakMap<StackFrame[], StackFrame[]>();
  const frames = (list: StackFrame[]): StackFrame[] => {
    let out = scrubbedFrames.get(list);
    if (out === undefined) {
      out = list.some(mayHoldSecrets)
        ? list.map((f) => (mayHoldSecrets(f) ? { ...f, file: url(f.file as string) } : f))
        : list;
      scrubbedFrames.set(list, out);
    }
    return out;
  };

  // code and status are kept as they are: short, matched against the classification rules, never exported.
  const record = (rec: ExceptionRecord): ExceptionRecord => ({
    type: text(rec.type),
    message: text(rec.message),
    stacktrace: stacktrace(rec.stacktrace),
    frames: frames(rec.frames),
    causes: rec.causes.map((c) => ({ ...c, type: text(c.type), message: text(c.message) })),
    code: rec.code,
    status: rec.status,
  });

  return { text, url, attributes, record };
}

function mayHoldSecrets(frame: StackFrame): boolean {
  return frame.file !== undefined && /[?@#=[]|\d\.\d+\.\d/.test(frame.file);
}

function keyMatches(key: string, entry: RegExp | string): boolean {
  if (entry instanceof RegExp) {
    entry.lastIndex = 0;
    return entry.test(key);
  }
  const k = key.toLowerCase();
  const e = entry.toLowerCase();
  if (k === e) return true;
  if (!k.endsWith(e)) return false;
  const sep = k.charAt(k.length - e.length - 1);
  return sep === '.' || sep === '_' || sep === '-';
}

function isUrlKey(key: string): boolean {
  return URL_KEYS.some((u) => (u.startsWith('*') ? key.endsWith(u.slice(1)) : key === u));
}

function toGlobalRegExp(pattern: RegExp | string): RegExp | undefined {
  try {
    if (typeof pattern === 'string') {
      return pattern === '' ? undefined : new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g');
    }
    return new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  } catch {
    return undefined;
  }
}
