// What kind of failure an error is (network, timeout, rate_limit, auth, validation, server, client, code,
// resource, unknown), whether retrying may help, and how severe it is. The rules are data
// (classification/rules.json, generated into classification-rules.ts): the collector runs the same table
// as OTTL for spans from other SDKs. Users' rules (init's `classify`) are tried first.
import { CATEGORIES, type ClassificationRuleData, FALLBACK, RULES } from './classification-rules';
import type { ExceptionRecord } from './types';

/** OpenTelemetry's severity names, lowercase: `faultline.severity` on spans, severity_number on log records. */
export type Severity = 'fatal' | 'error' | 'warn' | 'info' | 'debug';

/** OpenTelemetry SeverityNumber of each severity (FATAL 21, ERROR 17, WARN 13, INFO 9, DEBUG 5). */
export const SEVERITY_NUMBERS: Readonly<Record<Severity, number>> = {
  fatal: 21,
  error: 17,
  warn: 13,
  info: 9,
  debug: 5,
};

export interface Classification {
  category: string;
  transient: boolean;
}

/** A user's rule: every condition given must hold; it sets what it names, the built-in table the rest. */
export interface ClassificationRule {
  when: {
    /** One of these codes (the error's own `code`, or its nearest cause's). */
    code?: string[];
    /** One of these HTTP statuses; `'4xx'` stands for a hundred. */
    status?: (number | string)[];
    /** Matched against the whole exception type. */
    type?: string | RegExp;
    /** Found anywhere in the message. */
    message?: string | RegExp;
  };
  category?: string;
  transient?: boolean;
  severity?: Severity;
}

/** A rule ready to run: the same shape for the built-in table and for users' rules. */
interface CompiledRule {
  category?: string;
  transient?: boolean;
  severity?: Severity;
  codes?: Set<string>;
  /** [lo, hi, lo, hi...] */
  status?: number[];
  type?: RegExp;
  /** What `type` said of the types seen so far (set with `type`): a few types are nearly every error. */
  types?: Map<string, boolean>;
  message?: RegExp;
}

/** Types remembered per rule; past this the memory starts again (types are class names: few). */
const MAX_TYPES = 256;

/** A runtime's own rules, tried before the shared table: the Node agent passes NODE_RULES (error codes no
 * browser sees, so the script tag never carries them). */
export type RuntimeRules = readonly ClassificationRuleData[];

const NONE: RuntimeRules = [];
const compiled = new WeakMap<RuntimeRules, CompiledRule[]>();

/** The built-in table of a runtime, compiled at its first error (not at start-up). */
function builtInRules(runtime: RuntimeRules): CompiledRule[] {
  let rules = compiled.get(runtime);
  if (!rules) {
    rules = runtime.concat(RULES).map(compileData);
    compiled.set(runtime, rules);
  }
  return rules;
}

function compileData([category, transient, codes, status, type, message, flags]: ClassificationRuleData): CompiledRule {
  return {
    category,
    transient: transient === 1,
    codes: codes ? new Set(codes.split(' ')) : undefined,
    status: status || undefined,
    type: type ? new RegExp(`(?:^|\\.)(?:${type})$`, flags) : undefined,
    types: type ? new Map() : undefined,
    message: message ? new RegExp(message, flags) : undefined,
  };
}

function matches(rule: CompiledRule, record: ExceptionRecord): boolean {
  if (rule.codes && (record.code === undefined || !rule.codes.has(record.code))) return false;
  if (rule.status) {
    const s = record.status;
    if (s === undefined) return false;
    let inRange = false;
    for (let i = 0; i < rule.status.length && !inRange; i += 2)
      inRange = s >= (rule.status[i] as number) && s <= (rule.status[i + 1] as number);
    if (!inRange) return false;
  }
  if (rule.type) {
    const types = rule.types as Map<string, boolean>;
    let ok = types.get(record.type);
    if (ok === undefined) {
      ok = rule.type.test(record.type);
      if (types.size >= MAX_TYPES) types.clear();
      types.set(record.type, ok);
    }
    if (!ok) return false;
  }
  if (rule.message && !rule.message.test(record.message)) return false;
  return true;
}

/** The category and transient of a record, and the severity a user's rule gave it, if any. */
export function classify(
  record: ExceptionRecord,
  userRules: readonly CompiledRule[] = [],
  runtime: RuntimeRules = NONE,
): Classification & { severity?: Severity } {
  let category: string | undefined;
  let transient: boolean | undefined;
  let severity: Severity | undefined;
  for (const rule of userRules) {
    if (!matches(rule, record)) continue;
    ({ category, transient, severity } = rule);
    break;
  }
  if (category === undefined || transient === undefined) {
    const rule = builtInRules(runtime).find((r) => matches(r, record));
    category ??= rule ? rule.category : FALLBACK[0];
    transient ??= rule ? rule.transient : FALLBACK[1];
  }
  const kind = { category: category as string, transient: transient === true };
  return severity ? Object.assign(kind, { severity }) : kind;
}

/** The severity of an error nobody gave one: a crash that ends the process FATAL, unhandled ERROR, handled WARN. */
export function defaultSeverity(handled: boolean, fatal: boolean): Severity {
  return fatal ? 'fatal' : handled ? 'warn' : 'error';
}

/**
 * Users' rules, checked: a rule that is not one (unknown category or severity, bad pattern, no condition) is
 * left out with a reason, never thrown at the host.
 */
export function compileRules(rules: unknown): { rules: CompiledRule[]; errors: string[] } {
  const out: CompiledRule[] = [];
  const errors: string[] = [];
  if (rules === undefined) return { rules: out, errors };
  try {
    if (!Array.isArray(rules)) return { rules: out, errors: ['classify must be an array of rules'] };
    rules.forEach((rule, i) => {
      try {
        out.push(compileRule(rule));
      } catch (err) {
        errors.push(`classify[${i}]: ${(err as Error)?.message}`);
      }
    });
  } catch {
    // A Proxy whose traps throw: nothing of it is used.
    return { rules: [], errors: ['classify could not be read'] };
  }
  return { rules: out, errors };
}

function compileRule(rule: ClassificationRule): CompiledRule {
  const when = rule?.when;
  const { category, transient, severity } = rule ?? {};
  const check = (ok: unknown, why: string) => {
    if (!ok) throw new Error(why);
  };
  check(typeof when === 'object' && when !== null, 'needs `when`');
  check(category === undefined || CATEGORIES.includes(category), `unknown category ${String(category)}`);
  check(transient === undefined || typeof transient === 'boolean', 'transient must be true or false');
  check(severity === undefined || Object.hasOwn(SEVERITY_NUMBERS, severity), `unknown severity ${String(severity)}`);
  const { code, status, type, message } = when;
  check(
    code === undefined || (Array.isArray(code) && code.every((c) => typeof c === 'string')),
    'when.code must be strings',
  );
  check(status === undefined || Array.isArray(status), 'when.status must be an array');
  check(code ?? status ?? type ?? message, '`when` needs code, status, type or message');
  return {
    category,
    transient,
    severity,
    codes: code && new Set(code),
    status: status?.flatMap(statusRange),
    type: type === undefined ? undefined : pattern(type, true),
    types: type === undefined ? undefined : new Map(),
    message: message === undefined ? undefined : pattern(message, false),
  };
}

/** A RegExp as given, or a string compiled: whole for types (as in the built-in table), a search for messages. */
function pattern(p: unknown, whole: boolean): RegExp {
  // Without g and y: test() would keep a lastIndex between errors.
  if (p instanceof RegExp) return new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
  if (typeof p !== 'string') throw new Error('patterns must be strings or RegExps');
  return new RegExp(whole ? `^(?:${p})$` : p);
}

function statusRange(s: unknown): [number, number] {
  if (Number.isInteger(s)) return [s as number, s as number];
  const m = /^([1-5])xx$/.exec(String(s));
  if (!m) throw new Error(`status ${String(s)} is neither a number nor like '4xx'`);
  return [+(m[1] as string) * 100, +(m[1] as string) * 100 + 99];
}
