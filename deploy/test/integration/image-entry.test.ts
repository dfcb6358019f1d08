import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { checkGrpcHealth } from "@handoff/runtime";
import { devClientTls, devServiceTlsEnv, infrastructureEnv } from "@handoff/testing";
import { afterEach, describe, expect, it } from "vitest";
import { imageCommand, repoRoot } from "../dockerfile";

/**
 * No Docker engine here: the image's ENTRYPOINT + CMD run as they are, with the work tree standing in
 * for the image's WORKDIR (the same layout) and this Node 24 for the image's `node`.
 */
function startImageCommand(env: Record<string, string>) {
  const { argv, workdir, env: imageEnv } = imageCommand();
  expect(workdir).toBe("/app");
  const [program = "", ...args] = argv.map((word) => (word === "node" ? process.execPath : word));
  const child = spawn(program, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, ...imageEnv, GRPC_HOST: "127.0.0.1", GRPC_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on("line", (l) => output.push(l));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, output, exited };
}

describe("the image's entry command", () => {
  let running: ReturnType<typeof startImageCommand> | undefined;
  afterEach(() => {
    running?.child.kill("SIGKILL");
    running = undefined;
  });

  it("starts the service under tini, answers gRPC health, and drains and exits 0 when tini gets SIGTERM", async () => {
    expect(existsSync("/usr/bin/tini"), "tini (Debian package, installed by scripts/setup.sh)").toBe(true);
    const { REDIS_URL, KAFKA_BROKERS } = infrastructureEnv();
    running = startImageCommand({ REDIS_URL, KAFKA_BROKERS, ...devServiceTlsEnv("acd"), GRPC_HEALTH_PORT: "0" });
    const { output, child, exited } = running;
    const deadline = Date.now() + 30_000;
    let listening: { grpcPort: number; grpcHealthPort: number } | undefined;
    while (!listening && Date.now() < deadline && child.exitCode === null) {
      const line = output.find((l) => l.includes('"grpcPort"'));
      if (line) listening = JSON.parse(line) as { grpcPort: number; grpcHealthPort: number };
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(listening, output.join("\n")).toBeDefined();
    expect(await checkGrpcHealth(`127.0.0.1:${listening?.grpcPort}`, { tls: devClientTls("session-broker") })).toBe(
      "SERVING",
    );
    // The chart's probes ask the plaintext health-only port.
    expect(await checkGrpcHealth(`127.0.0.1:${listening?.grpcHealthPort}`)).toBe("SERVING");

    const stopping = Date.now();
    child.kill("SIGTERM"); // to tini, PID of the container: it must reach Node
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(output.some((line) => line.includes('"shutting down"') && line.includes("SIGTERM"))).toBe(true);
  });
});
