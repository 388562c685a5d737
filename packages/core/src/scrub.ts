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
import { CHECKS, type Check, hasRun, RANGE_CHECKS, type RangeCheck } from './scrub-checks';
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
  pattern: RegExp;
  ignoreCase: boolean;
  replacement: string;
  prefilter: (typeof RULES)[number][3];
  check?: Check;
  ranges?: RangeCheck;
}

let compiled: Rule[] | undefined;
/** The shared rules, compiled on first use. A pattern this engine cannot compile is left out, not fatal. */
function rules(): Rule[] {
  if (compiled) return compiled;
  compiled = [];
  for (const [source, flags, replacement, prefilter, check] of RULES) {
    try {
      const pattern = new RegExp(source, `g${flags}`);
      const ignoreCase = flags === 'i';
      if (CHECKS[check] || RANGE_CHECKS[check])
        compiled.push({
          pattern,
          ignoreCase,
          replacement,
          prefilter,
          check: CHECKS[check],
          ranges: RANGE_CHECKS[check],
        });
    } catch {}
  }
  return compiled;
}

/** True when some alternative of the rule's prefilter holds (a necessary condition for a match). */
function passes(rule: Rule, text: string, lower: () => string): boolean {
  return rule.prefilter.some(([all, any, run]) => {
    const hay = rule.ignoreCase && (all.length > 0 || any.length > 0) ? lower() : text;
    return (
      all.every((lit) => hay.includes(lit)) &&
      (any.length === 0 || any.some((lit) => hay.includes(lit))) &&
      (!run || hasRun(text, run[0], run[1], run[2], run[3]))
    );
  });
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

/** Every shared rule, in order. */
function applyRules(input: string): string {
  let out = input;
  let lowered: string | undefined;
  const lower = () => {
    lowered ??= out.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    return lowered;
  };
  for (const rule of rules()) {
    if (!passes(rule, out, lower)) continue;
    const next = apply(rule, out);
    if (next !== out) {
      out = next;
      lowered = undefined;
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

  const record = (rec: ExceptionRecord): ExceptionRecord => ({
    type: text(rec.type),
    message: text(rec.message),
    stacktrace: stacktrace(rec.stacktrace),
    frames: frames(rec.frames),
    causes: rec.causes.map((c) => ({ ...c, type: text(c.type), message: text(c.message) })),
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
