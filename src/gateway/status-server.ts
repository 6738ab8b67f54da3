import type { AddressInfo } from 'node:net';
import type { HostPort } from '../config/gateway-config.js';
import { createWebApp, type WebAppOptions } from '../web/web-app.js';

export interface RunningWebServer {
  readonly address: HostPort;
  /** Stops accepting, ends idle keep-alive connections, and waits for requests in flight. */
  close(): Promise<void>;
}

/**
 * The web port: the review app, and `/healthz` and `/metrics` for load balancers and Prometheus (those two
 * carry no personal data, so they need no session; everything else does).
 */
export async function startWebServer(address: HostPort, options: WebAppOptions): Promise<RunningWebServer> {
  const app = await createWebApp(options);
  await app.listen({ host: address.host, port: address.port });
  const bound = app.server.address() as AddressInfo | null;
  return { address: { host: address.host, port: bound?.port ?? address.port }, close: () => app.close() };
}
