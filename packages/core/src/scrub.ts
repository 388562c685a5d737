// Secrets and personal data never leave the process: they are replaced in messages, stack traces, URLs and
// attributes before anything is exported. Replacements are labelled (`[REDACTED:email]`) so a reader knows
// what was there, and scrubbing is idempotent: scrubbing scrubbed text changes nothing.
// No lookbehind in any pattern: Safari before 16.4 rejects it and would fail to load the whole agent.
// Every repetition that can start at many positions is bounded, so no input costs more than linear time.

import { BoundedCache } from './bounded-cache';
import { ATTRIBUTE_CACHE_ENTRIES, MAX_CACHED_VALUE_LENGTH, STACK_CACHE_ENTRIES } from './limits';
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

export const REDACTED = '[REDACTED]';

/**
 * Attribute keys whose value is always replaced. A key matches an entry when it equals it or ends with it
 * after a `.`, `_` or `-` (`http.request.header.authorization`, `csrf_token`), case-insensitively.
 */
export const DEFAULT_DENY_KEYS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'token',
  'api_key',
  'apikey',
  'api-key',
  'private_key',
  'credentials',
  'card_number',
  'cvv',
  'ssn',
];

/** Query parameters that carry credentials in URLs besides the deny keys (OAuth codes, signed URLs). */
const URL_DENY_PARAMS: readonly string[] = [
  'code',
  'state',
  'sig',
  'signature',
  'key',
  'auth',
  'access_token',
  'id_token',
];

const LOOPBACK = new Set(['127.0.0.1', '0.0.0.0']);

/**
 * The built-in rules, applied in this order. Each has a cheap precondition so that typical text (a stack
 * trace with no secrets) costs a few substring checks rather than a dozen regular-expression scans.
 */
const RULES: {
  when: (text: string) => boolean;
  pattern: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}[] = [
  {
    when: (t) => t.includes('-----BEGIN'),
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    replace: '[REDACTED:private-key]',
  },
  {
    when: (t) => t.includes('eyJ'),
    pattern: /\beyJ[\w-]{5,8192}\.eyJ[\w-]{5,8192}\.[\w-]*/g,
    replace: '[REDACTED:jwt]',
  },
  { when: (t) => /Bearer|Basic/.test(t), pattern: /\b(Bearer|Basic)\s+[\w\-.~+/]{8,}=*/g, replace: `$1 ${REDACTED}` },
  // Credentials in URLs: scheme://user:pass@host, scheme://token@host.
  {
    when: hasUrlCredentials,
    pattern: /\b([a-z][a-z0-9+.-]{0,30}:\/\/)[^\s/?#@]{1,256}@/gi,
    replace: `$1${REDACTED}@`,
  },
  // password=..., "api_key": "...", token: ...
  {
    when: (t) => /password|passwd|pwd|secret|token|api[_-]?key|apikey/i.test(t),
    pattern:
      /((?:password|passwd|pwd|secret|token|api[_-]?key|apikey)["']?[ \t]{0,8}[:=][ \t]{0,8}["']?)([^\s"'&,;#]+)/gi,
    replace: `$1${REDACTED}`,
  },
  {
    when: (t) => t.includes('@'),
    // Candidates are found from each "@" (see redactEmail), never by scanning every position.
    pattern: /@/g,
    replace: '@',
  },
  { when: (t) => /\d[ -]?\d{3}/.test(t), pattern: /\d(?:[ -]?\d){12,}/g, replace: redactCardsInRun },
  {
    when: (t) => /\d\.\d{1,3}\.\d/.test(t),
    pattern: /\b(?:\d{1,3}\.){3}\d{1,3}\b/g,
    replace: (m, ...rest) => (isIPv4(m) && !partOfLongerDotted(m, rest) ? '[REDACTED:ip]' : m),
  },
  {
    // "::" or three colon-separated hex groups; a stack frame's "file.js:10:5" has only two.
    when: hasIPv6Candidate,
    pattern:
      /\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4}\b/gi,
    replace: (m) => (/\d/.test(m) && m.length >= 6 ? '[REDACTED:ip]' : m),
  },
];
const EMAIL_RULE = 5;

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
    let out = input;
    for (let i = 0; i < RULES.length; i++) {
      const rule = RULES[i] as (typeof RULES)[number];
      if (!rule.when(out)) continue;
      out = i === EMAIL_RULE ? redactEmails(out) : out.replace(rule.pattern, rule.replace as (m: string) => string);
    }
    for (const pattern of extra) out = out.replace(pattern, REDACTED);
    return out;
  };

  const url = (input: string): string => {
    if (typeof input !== 'string' || input === '') return input;
    const scrubbedQuery = input.replace(/([?&;])([^=&#;]+)=([^&#;]*)/g, (m, sep: string, name: string) =>
      isDenied(name) || URL_DENY_PARAMS.includes(name.toLowerCase()) ? `${sep}${name}=${REDACTED}` : m,
    );
    return text(scrubbedQuery);
  };

  const attributes = <T extends Attributes>(attrs: T): T => {
    const out: Attributes = {};
    for (const key of Object.keys(attrs)) {
      const value = attrs[key];
      if (value === undefined) continue;
      if (isDenied(key)) out[key] = REDACTED;
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
  return key === 'url.full' || key.endsWith('.url') || key === 'http.url' || key === 'url.query';
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

/**
 * In a run of digits, spaces and dashes, replaces every card number: 13-19 digits that start with 2-6
 * (Visa, Mastercard, Amex, Discover...), begin and end on a group boundary, and pass the Luhn check.
 * Candidates start at each group in turn, so "order 12 4111 1111 1111 1111" still finds the card.
 */
function redactCardsInRun(run: string): string {
  const groups = run.split(/(?=[ -])/); // each group keeps its leading separator
  let out = '';
  for (let i = 0; i < groups.length; ) {
    let found = -1;
    let digits = '';
    for (let j = i; j < groups.length && digits.length <= 19; j++) {
      digits += (groups[j] as string).replace(/\D/g, '');
      if (digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && luhnValid(digits)) found = j;
    }
    if (found < 0) {
      out += groups[i];
      i++;
      continue;
    }
    const first = groups[i] as string;
    out += `${/^[ -]/.test(first) ? first[0] : ''}[REDACTED:card]`;
    i = found + 1;
  }
  return out;
}

/** True when some "://" has an "@" in its authority (before the next / ? # or whitespace). */
function hasUrlCredentials(text: string): boolean {
  if (!text.includes('@')) return false;
  for (let i = text.indexOf('://'); i >= 0; i = text.indexOf('://', i + 3)) {
    for (let j = i + 3; j < text.length && j - i < 260; j++) {
      const c = text.charCodeAt(j);
      if (c === 64 /* @ */) return true;
      if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */ || c <= 32) break;
    }
  }
  return false;
}

/** True when the text has "::" or three colon-separated hex groups ("a:b:c:"); "file.js:10:5" has not. */
function hasIPv6Candidate(text: string): boolean {
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    if (text.charCodeAt(i + 1) === 58) return true;
    let groups = 0;
    let j = i + 1;
    while (groups < 2) {
      let k = j;
      while (k < text.length && k - j < 4 && isHex(text.charCodeAt(k))) k++;
      if (k === j || text.charCodeAt(k) !== 58) break;
      groups++;
      j = k + 1;
    }
    if (groups === 2) return true;
  }
  return false;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

const EMAIL_LOCAL = /[\w.!#$%&'*+/=?^`{|}~-]/;
const EMAIL_DOMAIN = /[a-z0-9.-]/i;

/**
 * Replaces email addresses, found from each "@": up to 64 local-part characters before it, a dotted domain
 * with a 2-24 letter top-level label after it. A domain followed by ":digits" is a stack frame
 * (`onPress@index.android.bundle:12:3`), not an email.
 */
function redactEmails(text: string): string {
  let out = '';
  let copied = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > copied && at - start < 64 && EMAIL_LOCAL.test(text.charAt(start - 1))) start--;
    let end = at + 1;
    while (end < text.length && end - at <= 253 && EMAIL_DOMAIN.test(text.charAt(end))) end++;
    while (end > at + 1 && /[.-]/.test(text.charAt(end - 1))) end--;
    const domain = text.slice(at + 1, end);
    const tld = domain.slice(domain.lastIndexOf('.') + 1);
    const isEmail =
      start < at &&
      domain.includes('.') &&
      !domain.includes('..') &&
      /^[a-z]{2,24}$/i.test(tld) &&
      !/^[\w.-]*:\d/.test(text.slice(end, end + 64));
    if (!isEmail) continue;
    out += `${text.slice(copied, start)}[REDACTED:email]`;
    copied = end;
    at = end - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function isIPv4(candidate: string): boolean {
  if (LOOPBACK.has(candidate)) return false; // loopback says nothing about a person
  return candidate.split('.').every((part) => Number(part) <= 255 && (part.length === 1 || part[0] !== '0'));
}

/** True when the dotted quad is part of a longer dotted number (a version such as 1.2.3.4.5). */
function partOfLongerDotted(match: string, rest: unknown[]): boolean {
  const offset = rest[rest.length - 2] as number;
  const whole = rest[rest.length - 1] as string;
  const before = whole.charAt(offset - 1);
  const after = whole.slice(offset + match.length, offset + match.length + 2);
  return (before === '.' && /\d/.test(whole.charAt(offset - 2))) || /^\.\d/.test(after);
}
