import { status, type ServiceError } from "@grpc/grpc-js";
import { callUnary, createGrpcClient, errorInfo, type GrpcTls } from "@handoff/runtime";
import { AcdServiceClient, type RoutingConfig } from "@handoff/proto/acd_service";
import { SiteInUseError, SiteRetirementPendingError } from "./retirement-errors";

/**
 * The acd did not answer (down, overloaded, deadline passed): nothing changed that intake knows of.
 * The message names the gRPC status, so a 503 tells an unreachable acd from a slow one.
 */
export class AcdUnavailableError extends Error {
  constructor(code: string, options?: ErrorOptions) {
    super(`the acd did not answer (${code}); retry`, options);
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
    return new AcdUnavailableError(status[error.code], { cause: error });
  return error;
}

/** The acd waits up to 10 s for the site's outbox to be relayed before it answers: room for that wait. */
const RETIRE_DEADLINE_MS = 15_000;

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

  /**
   * Retires the site in the acd: refused while it holds sessions in routing; otherwise its config goes
   * at once and, once its outbox is relayed, every key of it. Returns the keys removed (0 when it was
   * retired already).
   * @throws SiteInUseError, SiteRetirementPendingError, AcdUnavailableError
   */
  async retire(siteId: string): Promise<number> {
    try {
      return (await callUnary(this.client, "retireSite", { siteId }, RETIRE_DEADLINE_MS)).removedKeys;
    } catch (error) {
      const info = errorInfo(error);
      if (info?.reason === "SITE_IN_USE") throw new SiteInUseError(siteId, Number(info.metadata["sessions"] ?? 0));
      if (info?.reason === "SITE_RETIREMENT_PENDING") throw new SiteRetirementPendingError(siteId, "acd");
      throw translated(error);
    }
  }

  close(): void {
    this.client.close();
  }
}
