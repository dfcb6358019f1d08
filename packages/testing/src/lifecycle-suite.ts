import { checkGrpcHealth } from "@handoff/runtime";
import { afterEach, describe, expect, it } from "vitest";
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
export function describeServiceLifecycle(name: string, options: LifecycleSuiteOptions): void {
  describe(`${name} lifecycle`, () => {
    let running: ServiceProcess | undefined;
    afterEach(async () => {
      await running?.stop("SIGKILL");
      running = undefined;
    });

    it("answers gRPC health SERVING once started, and stops on SIGTERM within 5 s with exit code 0", async () => {
      running = await startService(name, options.env());
      expect(await checkGrpcHealth(`127.0.0.1:${running.grpcPort}`)).toBe("SERVING");
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

    it("refuses to start with a bad setting, exiting non-zero and naming the variable", async () => {
      const [variable, value] = options.badSetting;
      const exit = await runServiceExpectingExit(name, { ...options.env(), [variable]: value });
      expect(exit.code).not.toBe(0);
      expect(exit.output.join("\n")).toContain(variable);
    });
  });
}
