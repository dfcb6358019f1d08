import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const LOOPBACK = "127.0.0.1";

/** Ports this process has already handed out, so two parallel starts never get the same one. */
const handedOut = new Set<number>();

function listenOnce(port: number, host = LOOPBACK): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === "object" && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * True when this process could listen on host:port right now (127.0.0.1 by default). With
 * `0.0.0.0` it is false when anything listens on the port at any IPv4 address or dual-stack.
 */
export async function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return (await listenOnce(port, host)) === port;
}

/** `pid 1234: node services/acd/dist/main.js` for the process listening on a TCP port, when `ss` can tell. */
export function portHolder(port: number): string | undefined {
  let pid: string | undefined;
  try {
    const out = execFileSync("ss", ["-Hltnp", `sport = :${port}`], { encoding: "utf8", timeout: 2_000 });
    pid = /pid=(\d+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
  if (pid === undefined) return undefined;
  try {
    // Not ss's process name: Node renames its main thread "MainThread".
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    return `pid ${pid}: ${command.length > 80 ? `${command.slice(0, 77)}...` : command}`;
  } catch {
    return `pid ${pid}`;
  }
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
