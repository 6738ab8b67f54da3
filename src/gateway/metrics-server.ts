import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { Registry } from 'prom-client';
import type { HostPort } from '../config/gateway-config.js';
import { metricsRoute } from '../web/metrics-route.js';
import type { RunningWebServer } from './status-server.js';

/**
 * A listener of its own for a process with no review app (`hallmonitor worker`): `/metrics` as serve shows it
 * (Prometheus text, behind `metricsToken` when set) and `/healthz`. Nothing else is served, and nothing logged.
 */
export async function startMetricsServer(
  address: HostPort,
  options: { readonly registry: Registry; readonly metricsToken?: string | undefined; readonly isHealthy: () => boolean },
): Promise<RunningWebServer> {
  const app = Fastify({ logger: false, exposeHeadRoutes: false });
  app.get('/healthz', async (_request, reply) => {
    const healthy = options.isHealthy();
    return reply
      .code(healthy ? 200 : 503)
      .header('cache-control', 'no-store')
      .type('text/plain')
      .send(healthy ? 'ok\n' : 'stopping\n');
  });
  metricsRoute(app, {
    registry: options.registry,
    ...(options.metricsToken === undefined ? {} : { metricsToken: options.metricsToken }),
    notFound: () => Object.assign(new Error('not found'), { statusCode: 404 }),
  });
  await app.listen({ host: address.host, port: address.port });
  const bound = app.server.address() as AddressInfo | null;
  return { address: { host: address.host, port: bound?.port ?? address.port }, close: () => app.close() };
}
