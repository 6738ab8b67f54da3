import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface MetricsRouteOptions {
  /** The registry to show; without it `/metrics` answers 404. */
  readonly registry?: Registry;
  /** When set, `/metrics` answers only `Authorization: Bearer <metricsToken>` (Prometheus's bearer credentials). */
  readonly metricsToken?: string;
  /** Answers 404 in the listener's own way (the review app's error page). */
  readonly notFound: () => Error;
}

/**
 * `GET /metrics` in Prometheus's text format, without a session (it carries counts, never content), behind the
 * bearer token when one is configured: the review app's port in serve, the worker's own listener in `worker`.
 */
export function metricsRoute(app: FastifyInstance, options: MetricsRouteOptions): void {
  app.get('/metrics', { config: { public: true } }, async (request, reply) => {
    if (!options.registry) throw options.notFound();
    if (options.metricsToken !== undefined && !bearerMatches(request.headers.authorization, options.metricsToken)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').header('cache-control', 'no-store').type('text/plain').send('a bearer token is required\n');
    }
    const text = await options.registry.metrics();
    return reply.header('cache-control', 'no-store').type(options.registry.contentType).send(text);
  });
}

/** Compared in constant time over hashes, so neither the token's length nor its prefix leaks through timing. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(token).digest());
}
