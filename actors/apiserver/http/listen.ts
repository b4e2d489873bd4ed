/**
 * The one place the HTTP front touches a platform HTTP server. `node:http`
 * runs on Node and on Deno (through its Node compatibility layer); swap this
 * file to serve through `Deno.serve` or another runtime's server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";

/** Handles one request; must always end the response (or leave a stream open on purpose). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A listening server. */
export interface Listener {
  /** The port actually bound (useful when 0 was asked for). */
  port: number;
  /** Stops accepting and drops open connections (watch streams included). */
  close(): Promise<void>;
}

/** PEM certificate chain and key, for HTTPS. */
export interface TlsFiles {
  cert: string;
  key: string;
}

/**
 * Binds `handler` on host:port (port 0 = any free port), over HTTPS when
 * `tls` is given. kubectl sends bearer tokens only over TLS, so a front
 * with authentication must be served with it.
 */
export function listen(handler: RequestHandler, host: string, port: number, tls?: TlsFiles): Promise<Listener> {
  const server = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, handler) : createServer(handler);
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  // A malformed request line must not take the server down.
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const bound = (server.address() as AddressInfo).port;
      resolve({
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}
