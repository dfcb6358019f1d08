import { createServer } from "node:net";

const LOOPBACK = "127.0.0.1";

/** Ports this process has already handed out, so two parallel starts never get the same one. */
const handedOut = new Set<number>();

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(undefined));
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === "object" && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** True when nothing listens on 127.0.0.1:port right now. */
export async function isPortFree(port: number): Promise<boolean> {
  return (await listenOnce(port)) === port;
}

/**
 * A loopback port that is free now: the kernel picks one (listen on 127.0.0.1:0), we read it and
 * close. `accept` can add a condition (Redis Cluster also needs port + 10000 free).
 */
export async function freePort(accept: (port: number) => Promise<boolean> | boolean = () => true): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await listenOnce(0);
    if (port === undefined || handedOut.has(port)) continue;
    if (!(await accept(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error("could not find a free loopback port after 100 attempts");
}
