import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ACD_CALLERS, commonSettings, grpcAddress, PRESENCE_CALLERS, SESSION_BROKER_CALLERS } from "@handoff/runtime";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../dockerfile";
import { helm, KUBE_VERSION, parseObjects, validateObject, type K8sObject } from "../k8s-objects";

const chart = "helm/handoff";
const valueFiles = ["ci/default-values.yaml", "ci/production-values.yaml"];
const render = (...args: string[]) =>
  parseObjects(helm("template", "handoff", chart, "--namespace", "handoff", "--kube-version", KUBE_VERSION, ...args));

interface Container {
  args: string[];
  env: { name: string; value?: string }[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: { grpc: { port: number } };
  livenessProbe: { grpc: { port: number } };
  startupProbe: { grpc: { port: number } };
  lifecycle: { preStop: { sleep: { seconds: number } } };
}
interface PodSpec {
  terminationGracePeriodSeconds: number;
  serviceAccountName: string;
  automountServiceAccountToken: boolean;
  containers: Container[];
}
const podSpec = (deployment: K8sObject) => (deployment.spec as { template: { spec: PodSpec } }).template.spec;
const envOf = (container: Container) => new Map(container.env.map((e) => [e.name, e.value]));
const named = (objects: K8sObject[], kind: string) =>
  new Map(objects.filter((o) => o.kind === kind).map((o) => [o.metadata.name, o]));

describe("the Helm chart", () => {
  it("passes helm lint --strict with each CI values file", () => {
    for (const file of valueFiles)
      expect(helm("lint", "--strict", chart, "-f", `${chart}/${file}`)).toMatch(/0 chart\(s\) failed/);
  });

  for (const file of valueFiles) {
    it(`renders with ${file} only objects valid against the Kubernetes ${KUBE_VERSION} API schemas`, async () => {
      const objects = render("-f", `${chart}/${file}`);
      expect(objects.length).toBeGreaterThan(30);
      for (const object of objects) await validateObject(object);
    });
  }

  it("refuses values the schema does not allow, naming the field", () => {
    expect(() => render("--set", "services.acd.grpcPort=70000")).toThrow(/services\.acd\.grpcPort/);
    expect(() => render("--set", "kafka.brokers=not-a-broker-list")).toThrow(/kafka\.brokers/);
  });

  it("gives every service one Deployment from the one template, probed on the gRPC health port, stopping within its drain bound", () => {
    const objects = render("-f", `${chart}/ci/production-values.yaml`);
    const deployments = named(objects, "Deployment");
    expect([...deployments.keys()].sort()).toEqual(["acd", "intake", "presence", "reporting", "session-broker"]);
    for (const [name, deployment] of deployments) {
      const spec = podSpec(deployment);
      const [container] = spec.containers;
      if (!container) throw new Error(`${name} has no container`);
      expect(container.args).toEqual([`services/${name}/dist/main.js`]);
      const env = envOf(container);
      const healthPort = Number(env.get("GRPC_HEALTH_PORT"));
      for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe])
        expect(probe.grpc.port).toBe(healthPort);
      // The kubelet's grace covers the preStop pause and the service's whole drain (SHUTDOWN_TIMEOUT_MS).
      const drainSeconds = Number(env.get("SHUTDOWN_TIMEOUT_MS")) / 1000;
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(
        container.lifecycle.preStop.sleep.seconds + drainSeconds,
      );
      expect(spec.serviceAccountName).toBe(name);
      for (const variable of [
        "GRPC_TLS_CERT",
        "GRPC_TLS_KEY",
        "GRPC_TLS_CA",
        "KAFKA_BROKERS",
        "OTEL_EXPORTER_PROMETHEUS_PORT",
      ])
        expect(env.get(variable), `${name} ${variable}`).toBeTruthy();
    }
  });

  it("runs each service's own entry file, with the drain bound the services default to", () => {
    const serviceDefault = commonSettings.SHUTDOWN_TIMEOUT_MS.parse(undefined);
    for (const [name, deployment] of named(render(), "Deployment")) {
      const [container] = podSpec(deployment).containers;
      const entry = container?.args[0] ?? "";
      expect(existsSync(path.join(repoRoot, entry.replace(/^(.*)\/dist\/(.*)\.js$/, "$1/src/$2.ts"))), entry).toBe(
        true,
      );
      expect(envOf(container as Container).get("SHUTDOWN_TIMEOUT_MS"), name).toBe(String(serviceDefault));
    }
  });

  it("dials peers as dns:/// of headless Services, with the connection age the services default to", () => {
    const objects = render();
    for (const [name, service] of named(objects, "Service"))
      expect((service.spec as { clusterIP?: string }).clusterIP, name).toBe("None");
    for (const [name, deployment] of named(objects, "Deployment")) {
      const env = envOf(podSpec(deployment).containers[0] as Container);
      for (const setting of ["GRPC_MAX_CONNECTION_AGE_MS", "GRPC_MAX_CONNECTION_AGE_GRACE_MS"] as const)
        expect(env.get(setting), `${name} ${setting}`).toBe(String(commonSettings[setting].parse(undefined)));
      for (const [variable, address] of env)
        if (variable.endsWith("_ADDRESS")) {
          expect(address, `${name} ${variable}`).toMatch(/^dns:\/\/\//);
          expect(grpcAddress.safeParse(address).success, `${name} ${variable}`).toBe(true);
        }
    }
  });

  it("never inlines a secret: database URLs, the credential secret and Redis passwords come from Secret references", () => {
    const objects = render("-f", `${chart}/ci/production-values.yaml`);
    expect(objects.some((o) => o.kind === "Secret")).toBe(false);
    for (const deployment of named(objects, "Deployment").values()) {
      const [container] = podSpec(deployment).containers;
      for (const variable of container?.env ?? [])
        if (/DATABASE_URL|CREDENTIAL_SECRET|REDIS_URL|PUBLIC_KEY/.test(variable.name))
          expect(variable, variable.name).toMatchObject({ valueFrom: { secretKeyRef: expect.any(Object) as object } });
    }
  });

  it("lets only a service's callers reach its gRPC port, and exposes intake's public port alone by default", () => {
    const objects = render();
    const policies = named(objects, "NetworkPolicy");
    const grpcCallers = (name: string) => {
      const spec = policies.get(name)?.spec as {
        ingress: { ports: { port: string }[]; from?: { podSelector?: { matchLabels: Record<string, string> } }[] }[];
      };
      const rule = spec.ingress.find((r) => r.ports.some((p) => p.port === "grpc"));
      return (rule?.from ?? []).map((peer) => peer.podSelector?.matchLabels["app.kubernetes.io/name"]).sort();
    };
    expect(grpcCallers("acd")).toEqual(["intake", "presence", "session-broker"]);
    expect(grpcCallers("presence")).toEqual(["intake", "session-broker"]);
    expect(grpcCallers("session-broker")).toEqual(["intake"]);
    expect(grpcCallers("intake")).toEqual([]);
    expect(grpcCallers("reporting")).toEqual([]);

    const ingresses = [...named(objects, "Ingress").values()];
    expect(ingresses.map((i) => i.metadata.name)).toEqual(["intake"]);
    const backends = JSON.stringify(ingresses[0]?.spec);
    expect(backends).toContain('"name":"http"');
    expect(backends).not.toContain("admin");
    const intakePolicy = JSON.stringify(policies.get("intake")?.spec);
    expect(intakePolicy).not.toContain('"port":"admin"');
  });

  it("wires no peer that the services' per-method callers tables would refuse", () => {
    const tables: Record<string, Record<string, readonly string[]>> = {
      acd: ACD_CALLERS,
      presence: PRESENCE_CALLERS,
      "session-broker": SESSION_BROKER_CALLERS,
    };
    const policies = named(render(), "NetworkPolicy");
    for (const [callee, table] of Object.entries(tables)) {
      const allowed = new Set(Object.values(table).flat());
      const admitted = JSON.stringify(policies.get(callee)?.spec).match(/"app.kubernetes.io\/name":"[a-z-]+"/g) ?? [];
      for (const label of admitted) {
        const caller = label.split('"')[3] ?? "";
        if (caller !== callee) expect(allowed, `${caller} -> ${callee}`).toContain(caller);
      }
    }
  });

  it("grants each leader-electing service get, create and update on Leases and nothing else", () => {
    const objects = render();
    const roles = named(objects, "Role");
    expect([...roles.keys()].sort()).toEqual([
      "acd-leader-election",
      "presence-leader-election",
      "session-broker-leader-election",
    ]);
    for (const role of roles.values()) {
      const rules = role.rules as {
        apiGroups: string[];
        resources: string[];
        verbs: string[];
        resourceNames?: string[];
      }[];
      expect(rules.every((r) => r.apiGroups.join() === "coordination.k8s.io" && r.resources.join() === "leases")).toBe(
        true,
      );
      expect(rules.flatMap((r) => r.verbs).sort()).toEqual(["create", "get", "update"]);
    }
    // The Lease names are the ones the services ask for in their main.ts.
    for (const [service, lease] of [
      ["acd", "handoff-acd-due-leader"],
      ["presence", "handoff-presence-due-leader"],
      ["session-broker", "handoff-session-broker-leader"],
    ] as const) {
      expect(readFileSync(path.join(repoRoot, "services", service, "src", "main.ts"), "utf8")).toContain(`"${lease}"`);
      expect(JSON.stringify(roles.get(`${service}-leader-election`)?.rules)).toContain(lease);
    }
  });

  it("issues each service a cert-manager certificate naming it as spiffe://handoff/<service>, mounted where GRPC_TLS_* point", () => {
    const objects = render();
    for (const [name, certificate] of named(objects, "Certificate")) {
      const service = name.replace(/-grpc$/, "");
      const spec = certificate.spec as { uris: string[]; secretName: string; usages: string[] };
      expect(spec.uris).toEqual([`spiffe://handoff/${service}`]);
      expect(spec.usages.sort()).toEqual(["client auth", "server auth"]);
      const deployment = named(objects, "Deployment").get(service);
      expect(JSON.stringify(deployment?.spec)).toContain(`"secretName":"${spec.secretName}"`);
    }
    expect(render("--set", "tls.certManager.enabled=false").some((o) => o.kind === "Certificate")).toBe(false);
  });

  it("ships a Grafana dashboard that parses and queries only metrics the services export", () => {
    const [configMap] = render().filter((o) => o.kind === "ConfigMap");
    const dashboard = JSON.parse((configMap?.data as Record<string, string>)["handoff-routing.json"] ?? "") as {
      panels: { targets: { expr: string }[] }[];
    };
    const sources = [
      "services/session-broker/src/metrics.ts",
      "services/reporting/src/events/consumer-lag.ts",
      "services/acd/src/events/routing-metrics.ts",
      "services/presence/src/events/presence-metrics.ts",
    ]
      .map((file) => readFileSync(path.join(repoRoot, file), "utf8"))
      .join("\n");
    for (const panel of dashboard.panels)
      for (const target of panel.targets)
        for (const metric of target.expr.match(/handoff_[a-z_]+/g) ?? []) {
          const otelName = metric
            .replace(/_(total|bucket|count|sum)$/, "")
            .replace(/^handoff_(session_broker|reporting|acd|presence)_/, "handoff.$1.");
          expect(sources, metric).toContain(`"${otelName}"`);
        }
  });
});
