// What `npm start` runs and what it tells a person to open: the data behind start-all.ts and the
// clean-start check. A later issue that adds a page or a command adds an entry here.
import { DEMO_SITE_ID } from "./demo-site.ts";

/** start-all prints this (then "in 9.8 s — open:") once every service is ready; the clean-start check waits for it. */
export const READY_LINE = "[start] ready";

export type ServiceName = "acd" | "presence" | "session-broker" | "reporting" | "intake";

export interface LocalService {
  /** gRPC port (every service has one; reflection and grpc.health.v1 are on). */
  grpcPort: number;
  /** HTTP port, for services that serve HTTP (`/healthz`, `/readyz`, their API). */
  httpPort?: number;
  /** A second HTTP port for an API kept off the public one (intake's site administration). */
  adminHttpPort?: number;
  /** The service's own settings; the infrastructure variables are added to every one. */
  env: Record<string, string>;
}

/** Started in this order; each one's ports must be free. */
export const LOCAL_SERVICES: Record<ServiceName, LocalService> = {
  acd: { grpcPort: 50051, env: {} },
  presence: { grpcPort: 50052, env: { ACD_ADDRESS: "127.0.0.1:50051" } },
  "session-broker": {
    grpcPort: 50053,
    httpPort: 8083,
    env: { ACD_ADDRESS: "127.0.0.1:50051", PRESENCE_ADDRESS: "127.0.0.1:50052" },
  },
  reporting: { grpcPort: 50054, httpPort: 8084, env: {} },
  intake: {
    grpcPort: 50055,
    httpPort: 8080,
    adminHttpPort: 8085,
    env: {
      SESSION_BROKER_ADDRESS: "127.0.0.1:50053",
      ACD_ADDRESS: "127.0.0.1:50051",
      PRESENCE_ADDRESS: "127.0.0.1:50052",
    },
  },
};

export interface LocalPage {
  what: string;
  /** The service that serves it, and the path on its HTTP port. */
  service: ServiceName;
  path: string;
  /** Set while the page does not exist yet: the summary names the issue instead of a URL. */
  comesWith?: string;
}

/** The pages a person opens in a browser, in the order the summary lists them. */
export const LOCAL_PAGES: LocalPage[] = [
  { what: "demo page", service: "intake", path: "/demo/" },
  { what: "agent console", service: "session-broker", path: "/console/" },
  { what: "wallboard", service: "reporting", path: `/wallboard/?site=${DEMO_SITE_ID}` },
];

/**
 * How to get a development token for the agent API. The summary shows the command once the root
 * package.json has the `script`, and names the issue it comes with until then.
 */
export const TOKEN_COMMAND = {
  script: "token",
  example: "npm run token -- --site demo --rep alice",
  comesWith: "issue 8",
};

export const localHttpUrl = (service: ServiceName, path = "/"): string =>
  `http://127.0.0.1:${LOCAL_SERVICES[service].httpPort ?? "?"}${path}`;

/** Every port `npm start` needs for the services, with what it is for. */
export function requiredPorts(): { port: number; what: string }[] {
  return Object.entries(LOCAL_SERVICES).flatMap(([name, service]) => [
    { port: service.grpcPort, what: `${name} gRPC` },
    ...(service.httpPort === undefined ? [] : [{ port: service.httpPort, what: `${name} HTTP` }]),
    ...(service.adminHttpPort === undefined ? [] : [{ port: service.adminHttpPort, what: `${name} admin HTTP` }]),
  ]);
}
