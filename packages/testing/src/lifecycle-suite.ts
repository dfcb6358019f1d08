import { status } from "@grpc/grpc-js";
import { checkGrpcHealth, type ServiceIdentity } from "@handoff/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { devClientTls } from "./dev-identity";
import { runServiceExpectingExit, startService, type ServiceProcess } from "./service-process";

export interface LifecycleSuiteOptions {
  /** The settings the service needs, built from the test infrastructure. */
  env(): Record<string, string>;
  /** Whether the service serves HTTP `/healthz` and `/readyz`. */
  http: boolean;
  /** A variable set to a wrong value, which must stop the service at start. */
  badSetting: [variable: string, value: string];
}

/** The start/health/stop contract every service keeps, as one shared suite. */
export function describeServiceLifecycle(name: ServiceIdentity, options: LifecycleSuiteOptions): void {
  describe(`${name} lifecycle`, () => {
    let running: ServiceProcess | undefined;
    afterEach(async () => {
      await running?.stop("SIGKILL");
      running = undefined;
    });

    it("answers gRPC health SERVING once started, and stops on SIGTERM within 5 s with exit code 0", async () => {
      running = await startService(name, { ...options.env(), GRPC_HEALTH_PORT: "0" });
      const address = `127.0.0.1:${running.grpcPort}`;
      expect(await checkGrpcHealth(address, { tls: devClientTls("reporting") })).toBe("SERVING");
      // The probe port answers plaintext health checks and serves nothing else.
      expect(await checkGrpcHealth(`127.0.0.1:${running.grpcHealthPort}`)).toBe("SERVING");
      if (options.http) {
        const health = await fetch(`http://127.0.0.1:${running.httpPort}/healthz`);
        expect(health.status).toBe(200);
        const ready = await fetch(`http://127.0.0.1:${running.httpPort}/readyz`);
        expect(await ready.json()).toMatchObject({ status: "ready" });
        expect(ready.status).toBe(200);
      }
      const exit = await running.stop("SIGTERM");
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.ms).toBeLessThan(5_000);
    });

    it("refuses plaintext on its gRPC port: only mutual TLS is served", async () => {
      running = await startService(name, options.env());
      await expect(checkGrpcHealth(`127.0.0.1:${running.grpcPort}`, { deadlineMs: 2_000 })).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
    });

    it("refuses to start without its certificate, naming the variable", async () => {
      const exit = await runServiceExpectingExit(name, { ...options.env(), GRPC_TLS_CERT: "" });
      expect(exit.code).not.toBe(0);
      expect(exit.output.join("\n")).toContain("GRPC_TLS_CERT");
    });

    it("refuses to start with a bad setting, exiting non-zero and naming the variable", async () => {
      const [variable, value] = options.badSetting;
      const exit = await runServiceExpectingExit(name, { ...options.env(), [variable]: value });
      expect(exit.code).not.toBe(0);
      expect(exit.output.join("\n")).toContain(variable);
    });
  });
}
