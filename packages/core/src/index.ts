// @faultline/core: the error model shared by the browser and Node agents. Platform-neutral: no DOM, no
// `process`. Everything public is exported here; other modules are internal.

export type { CaptureContext, ContextAttributes, ContextValue } from './app-context';
export { primitiveEntries, readCaptureContext, setContextAttributes, tagValue, userAttributes } from './app-context';
export type { CircuitBreaker, CircuitBreakerOptions } from './circuit-breaker';
export { BREAKER_BASE_MS, BREAKER_MAX_MS, createCircuitBreaker, retryAfterMs } from './circuit-breaker';
export { NODE_RULES } from './classification-rules';
export type { Classification, ClassificationRule, RuntimeRules, Severity } from './classify';
export { classify, compileRules, defaultSeverity, SEVERITY_NUMBERS } from './classify';
export type { Breadcrumb, ExceptionReport, ExceptionSignals } from './exception-signal';
export {
  emitExceptionLog,
  exceptionAttributes,
  exceptionSignals,
  recordExceptionSpan,
} from './exception-signal';
export { fingerprint, normalizeMessage } from './fingerprint';
export * as limits from './limits';
export { normalizeError } from './normalize-error';
export { parseStack } from './parse-stack';
export type { Admission, Drained, RateLimiter, RateLimitOptions, Withheld } from './rate-limit';
export { createRateLimiter } from './rate-limit';
export type { CaptureOptions, ExceptionReporter, ReporterOptions, ReporterStats } from './reporter';
export { createExceptionReporter } from './reporter';
export type { Attributes, AttributeValue, Scrubber, ScrubOptions } from './scrub';
export { createScrubber, DEFAULT_DENY_KEYS, REDACTED } from './scrub';
export type { CauseRecord, ExceptionRecord, StackFrame } from './types';
