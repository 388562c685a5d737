// Fastify 5 publishes what its route handlers throw on a diagnostics channel
// (https://fastify.dev/docs/latest/Reference/Hooks/#diagnostics-channel-hooks): the preload listens there,
// patches nothing, and loads nothing of Fastify. Apps on Fastify 4 or older get nothing from it. The same
// channel's `start` gives the request in flight its route (Fastify publishes on the channel's every part as
// soon as any of them has a subscriber, as the error one has).
import { reportsByDefault } from '../should-report';
import type { FrameworkReport } from './hooks';
import { errorStatus, requestAttributes } from './request-attributes';

export const FASTIFY_ERROR_CHANNEL = 'tracing:fastify.request.handler:error';
export const FASTIFY_START_CHANNEL = 'tracing:fastify.request.handler:start';

interface FastifyRequest {
  method?: unknown;
  url?: unknown;
  raw?: unknown;
  routeOptions?: { url?: unknown };
  headers?: Record<string, unknown>;
}

interface FastifyMessage {
  error?: unknown;
  request?: FastifyRequest;
  reply?: { statusCode?: unknown };
  route?: { url?: unknown };
}

/** A message of the error channel, reported by default when Fastify answers it with a 5xx. */
export function fastifyReport(message: unknown): FrameworkReport {
  const { error, request, reply } = (message ?? {}) as FastifyMessage;
  // Fastify has set the reply's status by the time it publishes (setErrorStatusCode): the error's
  // statusCode when it is 4xx/5xx, else 500. A 404 or a failed schema is the app working, not an incident.
  let status = 500;
  try {
    status = errorStatus(error, reply?.statusCode);
  } catch {
    // a reply that cannot be read: Fastify answers 500
  }
  const byDefault = reportsByDefault(status);
  try {
    return {
      error,
      req: request,
      res: reply,
      status,
      byDefault,
      attributes: requestAttributes({
        method: request?.method,
        route: request?.routeOptions?.url,
        url: request?.url,
        status,
        userAgent: request?.headers?.['user-agent'],
      }),
    };
  } catch {
    return { error, req: undefined, res: undefined, status, byDefault, attributes: requestAttributes({ status }) };
  }
}

/** A message of the start channel: Node's request and the template of the route it took. */
export function fastifyRoute(message: unknown): { req: unknown; route: unknown } | undefined {
  const { request, route } = (message ?? {}) as FastifyMessage;
  if (typeof request !== 'object' || request === null) return undefined;
  return { req: request.raw, route: route?.url ?? request.routeOptions?.url };
}
