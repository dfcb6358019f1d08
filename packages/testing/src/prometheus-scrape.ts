import { createServer, type AddressInfo } from "node:net";

/** A free loopback port, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A service's OpenTelemetry metrics on its own Prometheus port, as operators scrape them. */
export class PrometheusEndpoint {
  private constructor(readonly port: number) {}

  static async create(): Promise<PrometheusEndpoint> {
    return new PrometheusEndpoint(await freePort());
  }

  /** The settings that make a service expose its metrics here. */
  get env(): Record<string, string> {
    return { OTEL_METRICS_EXPORTER: "prometheus", OTEL_EXPORTER_PROMETHEUS_PORT: String(this.port) };
  }

  /** The scrape's text. */
  async scrape(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
  }

  /** The sum of a series over the label sets that contain `labels` (e.g. `type="OfferCreated"`). */
  async sum(name: string, labels = ""): Promise<number> {
    return (await this.scrape())
      .split("\n")
      .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      .filter((line) => line.slice(0, line.lastIndexOf(" ")).includes(labels))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
  }
}
