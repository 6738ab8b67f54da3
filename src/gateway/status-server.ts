import { createServer, type Server } from 'node:http';
import type { HostPort } from '../config/gateway-config.js';
import type { GatewayMetrics } from './metrics.js';

/**
 * `/healthz` and `/metrics` on the web port, for load balancers and Prometheus. They carry no
 * personal data, so they need no session; everything else on the port belongs to the web app.
 */
export async function startStatusServer(address: HostPort, metrics: GatewayMetrics, isHealthy: () => boolean): Promise<{ server: Server; address: HostPort }> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET') {
      response.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (request.url === '/healthz') {
      const healthy = isHealthy();
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(healthy ? 'ok\n' : 'stopping\n');
      return;
    }
    if (request.url === '/metrics') {
      metrics.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address();
  return { server, address: { host: address.host, port: typeof bound === 'object' && bound ? bound.port : address.port } };
}
