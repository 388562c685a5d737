// Fastify 5 publishes what its route handlers throw on a diagnostics channel
// (https://fastify.dev/docs/latest/Reference/Hooks/#diagnostics-channel-hooks): the preload listens there,
// patches nothing, and loads nothing of Fastify. Apps on Fastify 4 or older get nothing from it.
import type { Attributes } from '@faultline/core';
import { errorStatus, requestAttributes } from './request-attributes';

export const FASTIFY_ERROR_CHANNEL = 'tracing:fastify.request.handler:error';

interface FastifyErrorMessage {
  error?: unknown;
  request?: {
    method?: unknown;
    url?: unknown;
    routeOptions?: { url?: unknown };
    headers?: Record<string, unknown>;
  };
}

/** What to report for a message of the channel: only what Fastify answers with a 5xx. */
export function fastifyReport(message: unknown): { error: unknown; attributes: Attributes } | undefined {
  const { error, request } = (message ?? {}) as FastifyErrorMessage;
  // Fastify answers an error with its statusCode when it is 4xx/5xx, else 500: a 404 or a failed schema is
  // the app working, not an incident.
  const status = errorStatus(error, undefined);
  if (status < 500) return undefined;
  let attributes: Attributes;
  try {
    attributes = requestAttributes({
      method: request?.method,
      route: request?.routeOptions?.url,
      url: request?.url,
      status,
      userAgent: request?.headers?.['user-agent'],
    });
  } catch {
    attributes = requestAttributes({ status });
  }
  return { error, attributes };
}
