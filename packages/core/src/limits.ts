// Every bound of the error model, with its reason. Reports are meant to be read by people and carried
// over OTLP in one request; a reporter must never spend unbounded memory or time on a hostile value.

/** Frames kept per stack: deeper stacks (recursion) repeat themselves; 100 frames show the pattern. */
export const MAX_FRAMES = 100;
/** Stack lines longer than this are skipped unparsed: minified one-liners and data: URLs go beyond 1 KiB, hostile input beyond that. */
export const MAX_STACK_LINE_LENGTH = 4096;
/** Characters of a stack string looked at at all. */
export const MAX_STACK_INPUT_LENGTH = 256 * 1024;
/** `exception.message` length: enough for any human-written message, bounded for hostile ones. */
export const MAX_MESSAGE_LENGTH = 8 * 1024;
/** `exception.stacktrace` length, all causes included. */
export const MAX_STACKTRACE_LENGTH = 64 * 1024;
/** Links followed down a cause chain (`cause` of `cause` of ...). */
export const MAX_CAUSE_DEPTH = 5;
/** Causes kept in all (AggregateError can hold thousands). */
export const MAX_CAUSES = 20;
/** Keys listed when a plain object is thrown. */
export const MAX_OBJECT_KEYS = 10;
/** Characters of each value shown in a thrown object's preview. */
export const MAX_PREVIEW_VALUE_LENGTH = 80;
/** Distinct stack bodies whose parsed frames and scrubbed text are kept for their repeats. */
export const STACK_CACHE_ENTRIES = 128;

/** Attribute keys and short values whose scrubbed form is remembered (context repeats on every report). */
export const ATTRIBUTE_CACHE_ENTRIES = 64;
/** Longer attribute values are scrubbed every time rather than kept. */
export const MAX_CACHED_VALUE_LENGTH = 1024;
