// What core takes from `@opentelemetry/api`, for the script tag only (rollup resolves the package here in
// that build; the ESM/CJS build uses the real API). The script tag has no SDK of its own: the active
// context is whatever an OpenTelemetry setup of the page registered on the global API object
// (https://github.com/open-telemetry/opentelemetry-js/blob/main/api/src/internal/global-utils.ts), else
// the root context, so an error inside the app's own span still sits in its trace. otlp-direct.ts reads
// the span out of it.
import type { Context, Span } from '@opentelemetry/api';

const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
/** The root context: no values (what core and otlp-direct.ts read of a context is getValue). */
const ROOT = { getValue: () => undefined } as unknown as Context;

type GlobalApi = { context?: { active(): Context } } | undefined;

export const context = {
  active(): Context {
    try {
      return (globalThis as unknown as Record<symbol, GlobalApi>)[GLOBAL_KEY]?.context?.active() ?? ROOT;
    } catch {
      return ROOT; // the page's setup threw: as if there were none
    }
  },
};

export const trace = {
  getSpan(ctx: Context): Span | undefined {
    try {
      return ctx.getValue(SPAN_KEY) as Span | undefined;
    } catch {
      return undefined;
    }
  },
};

export const SpanKind = { INTERNAL: 0 } as const;
export const SpanStatusCode = { ERROR: 2 } as const;
