// What the app says about the user and its state (setUser, setContext, setTag, captureException's
// context), as report attributes. The values come from app code and may be anything: nothing here
// throws, calls a getter twice, or keeps more than primitives; what cannot be read is left out.
// Self-contained (no OpenTelemetry, no other module): the Node agent loads it at start-up.

export type ContextValue = string | number | boolean;
export type ContextAttributes = Record<string, ContextValue>;

/** Keys per setContext / setTag call and attribute values at most: context is a summary, not a dump. */
const MAX_ENTRIES = 50;
const MAX_VALUE_LENGTH = 1024;

/** `user.id`, `user.email`, `user.name` from `{ id, email, username }` (semantic conventions' user.*). */
export function userAttributes(user: unknown): ContextAttributes {
  const out: ContextAttributes = {};
  if (typeof user !== 'object' || user === null) return out;
  const fields: [string, string][] = [
    ['id', 'user.id'],
    ['email', 'user.email'],
    ['username', 'user.name'],
  ];
  for (const [field, key] of fields) {
    const value = read(user, field);
    // Strings and numbers only: String() of anything else runs the app's toString, which may throw.
    if (typeof value === 'string' || typeof value === 'number') out[key] = clip(String(value));
  }
  return out;
}

/**
 * Replaces the `context.<name>.*` attributes in `into` with the primitive values of `values` (null or
 * undefined removes them). Returns false when `name` is not a usable name, and changes nothing then.
 */
export function setContextAttributes(into: ContextAttributes, name: unknown, values: unknown): boolean {
  if (typeof name !== 'string' || name === '') return false;
  const prefix = `context.${name}.`;
  for (const key of Object.keys(into)) if (key.startsWith(prefix)) delete into[key];
  for (const [key, value] of primitiveEntries(values)) into[prefix + key] = value;
  return true;
}

/** The primitive entries of an object the app passed (attributes, context values), bounded. */
export function primitiveEntries(values: unknown): [string, ContextValue][] {
  const out: [string, ContextValue][] = [];
  if (typeof values !== 'object' || values === null) return out;
  let keys: string[];
  try {
    keys = Object.keys(values);
  } catch {
    return out; // revoked proxy, throwing ownKeys trap
  }
  for (const key of keys) {
    if (out.length >= MAX_ENTRIES) break;
    const value = read(values, key);
    if (typeof value === 'string') out.push([key, clip(value)]);
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
      out.push([key, value]);
  }
  return out;
}

/** captureException's second argument, as both agents take it. */
export interface CaptureContext {
  /** Extra attributes for this report (tags). */
  attributes?: Record<string, unknown>;
  /** The mechanism name (`faultline.mechanism`); `manual` by default. Integrations name their framework. */
  mechanism?: string;
  /** Whether the app or its framework handled the error; true by default. An integration passes false for
   * what its framework leaves uncaught (React's onUncaughtError). */
  handled?: boolean;
}

/** A CaptureContext read once, as plain values: what cannot be read or is not of its type is the default. */
export function readCaptureContext(context: unknown): {
  mechanism: string;
  handled: boolean;
  attributes: ContextAttributes;
} {
  const mechanism = typeof context === 'object' && context !== null ? read(context, 'mechanism') : undefined;
  const handled = typeof context === 'object' && context !== null ? read(context, 'handled') : undefined;
  const attributes = typeof context === 'object' && context !== null ? read(context, 'attributes') : undefined;
  return {
    mechanism: typeof mechanism === 'string' && mechanism !== '' ? clip(mechanism) : 'manual',
    handled: handled !== false,
    attributes: Object.fromEntries(primitiveEntries(attributes)),
  };
}

/** A primitive tag value, or undefined. */
export function tagValue(value: unknown): ContextValue | undefined {
  if (typeof value === 'string') return clip(value);
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return value;
  return undefined;
}

function read(holder: object, key: string): unknown {
  try {
    return (holder as Record<string, unknown>)[key];
  } catch {
    return undefined; // a throwing getter or proxy trap: left out
  }
}

function clip(text: string): string {
  return text.length > MAX_VALUE_LENGTH ? text.slice(0, MAX_VALUE_LENGTH) : text;
}
