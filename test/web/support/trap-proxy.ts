import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy that answers nothing and records every request that reaches it. Chromium pointed at it
 * (loopback still goes direct) sends here anything a page loads from elsewhere, so an empty `hits` proves
 * that nothing left the browser, whatever the browser's own events say.
 */
export interface TrapProxy {
  readonly url: string;
  readonly hits: string[];
  close(): Promise<void>;
}

export async function startTrapProxy(): Promise<TrapProxy> {
  const hits: string[] = [];
  const server: Server = createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    response.writeHead(502).end();
  });
  server.on('connect', (request, socket) => {
    hits.push(`CONNECT ${request.url}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
