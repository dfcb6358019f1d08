import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../dockerfile";
import { helm, KUBE_VERSION, parseObjects, validateObject, type K8sObject } from "../k8s-objects";

/**
 * `kubectl kustomize` (scripts/setup.sh installs kubectl when it is missing); its deprecation warnings go
 * to stderr. kustomize wraps a generated Secret's base64 at 70 columns, which the API server's decoder
 * reads (Go's base64 skips newlines) but the schema's "byte" format does not: the lines are joined first.
 */
function kustomize(dir: string): K8sObject[] {
  const output = execFileSync("kubectl", ["kustomize", path.join(repoRoot, dir)], {
    encoding: "utf8",
    timeout: 30_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return parseObjects(output).map((object) => {
    const data = object.data as Record<string, string> | undefined;
    if (object.kind !== "Secret" || !data) return object;
    return { ...object, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.replace(/\s/g, "")])) };
  });
}

/** Every secretKeyRef and secret volume of the objects' pod templates that must exist for pods to start. */
function requiredSecrets(objects: K8sObject[]): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") {
      const record = node as Record<string, unknown>;
      const ref = record.secretKeyRef as { name: string; optional?: boolean } | undefined;
      if (ref && !ref.optional) names.add(ref.name);
      const volume = record.secret as { secretName?: string } | undefined;
      if (volume?.secretName) names.add(volume.secretName);
      Object.values(record).forEach(visit);
    }
  };
  objects.filter((o) => o.kind === "Deployment").forEach((o) => visit(o.spec));
  return names;
}

describe("the plain manifests in k8s/", () => {
  it("k8s/base/handoff.yaml is the chart rendered with k8s/base/chart-values.yaml (npm run k8s:render)", () => {
    const rendered = helm(
      "template",
      "handoff",
      "helm/handoff",
      "--namespace",
      "handoff",
      "--kube-version",
      KUBE_VERSION,
      "-f",
      "k8s/base/chart-values.yaml",
    );
    const committed = readFileSync(path.join(repoRoot, "k8s/base/handoff.yaml"), "utf8");
    expect(committed.slice(committed.indexOf("\n") + 1)).toBe(rendered);
  });

  for (const dir of ["k8s/base", "k8s/overlays/local"]) {
    it(`${dir} builds with kubectl kustomize into objects valid against the Kubernetes ${KUBE_VERSION} API schemas`, async () => {
      const objects = kustomize(dir);
      expect(objects.filter((o) => o.kind === "Deployment").length).toBeGreaterThanOrEqual(5);
      for (const object of objects) {
        await validateObject(object);
        expect(object.metadata.namespace ?? "handoff", `${object.kind}/${object.metadata.name}`).toBe("handoff");
      }
    });
  }

  it("the local overlay runs the locally built image, one replica each, with every Secret its pods need", () => {
    const objects = kustomize("k8s/overlays/local");
    const services = ["acd", "presence", "session-broker", "intake", "reporting"];
    for (const deployment of objects.filter((o) => o.kind === "Deployment" && services.includes(o.metadata.name))) {
      const spec = deployment.spec as { replicas: number; template: { spec: { containers: { image: string }[] } } };
      expect(spec.replicas).toBe(1);
      expect(spec.template.spec.containers[0]?.image).toBe("handoff:dev");
    }
    const provided = new Set([
      ...objects.filter((o) => o.kind === "Secret").map((o) => o.metadata.name),
      ...objects.filter((o) => o.kind === "Certificate").map((o) => (o.spec as { secretName: string }).secretName),
    ]);
    expect([...requiredSecrets(objects)].filter((name) => !provided.has(name))).toEqual([]);
    const database = objects.find((o) => o.kind === "Secret" && o.metadata.name === "handoff-database");
    expect(Object.keys((database?.data as Record<string, string>) ?? {}).sort()).toEqual([
      "intake-database-url",
      "reporting-database-url",
      "session-broker-database-url",
    ]);
  });
});
