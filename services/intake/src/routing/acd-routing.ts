import { status, type ServiceError } from "@grpc/grpc-js";
import { callUnary, createGrpcClient, type GrpcTls } from "@handoff/runtime";
import { AcdServiceClient, type RoutingConfig } from "@handoff/proto/acd_service";

/** The acd did not answer (down, overloaded, deadline passed): nothing changed that intake knows of. */
export class AcdUnavailableError extends Error {
  constructor(options?: ErrorOptions) {
    super("the acd did not answer; retry", options);
    this.name = "AcdUnavailableError";
  }
}

/** The acd refused a routing config: `field` is the acd's (`config.teams[0].offer_timeout_ms`). */
export class RoutingConfigRefusedError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = "RoutingConfigRefusedError";
  }
}

const isServiceError = (error: unknown): error is ServiceError =>
  typeof error === "object" && error !== null && "code" in error && "metadata" in error;

function translated(error: unknown): Error {
  if (!isServiceError(error)) return error instanceof Error ? error : new Error(String(error));
  if (error.code === status.INVALID_ARGUMENT) {
    const field = String(error.metadata.get("field")[0] ?? "config");
    // The acd's details start with "<field>: "; the problem is what follows.
    const problem = error.details.startsWith(`${field}: `) ? error.details.slice(field.length + 2) : error.details;
    return new RoutingConfigRefusedError(field, problem);
  }
  if ([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED].includes(error.code))
    return new AcdUnavailableError({ cause: error });
  return error;
}

/** A site's routing config in the acd, which owns it (teams, problem types, overflow). */
export class AcdRouting {
  private readonly client: AcdServiceClient;

  constructor(address: string, tls: GrpcTls) {
    this.client = createGrpcClient(AcdServiceClient, address, tls);
  }

  /** The site's routing config with its acd version, or undefined when the site has none yet. */
  async get(siteId: string): Promise<RoutingConfig | undefined> {
    try {
      return (await callUnary(this.client, "getRoutingConfig", { siteId })).config;
    } catch (error) {
      const refused = translated(error);
      // The acd answers a site without a config as a bad site_id.
      if (refused instanceof RoutingConfigRefusedError && refused.field === "site_id") return undefined;
      throw refused;
    }
  }

  /**
   * Replaces the site's routing config; the acd validates it whole and returns its new version.
   * @throws RoutingConfigRefusedError naming the acd's field, AcdUnavailableError
   */
  async put(siteId: string, config: RoutingConfig): Promise<number> {
    try {
      return (await callUnary(this.client, "putRoutingConfig", { siteId, config })).version;
    } catch (error) {
      throw translated(error);
    }
  }

  close(): void {
    this.client.close();
  }
}
