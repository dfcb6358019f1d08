import { loadSync, type PackageDefinition } from "@grpc/proto-loader";
import { protoRoot } from "@handoff/proto";
import { readdirSync } from "node:fs";
import path from "node:path";

let contracts: PackageDefinition | undefined;

/**
 * Every `handoff/v1` proto as grpc-js descriptors, loaded once: for server reflection and for naming
 * the field of a request that does not decode. Field names as written in the protos (snake_case).
 */
export function contractDefinitions(): PackageDefinition {
  if (!contracts) {
    const files = readdirSync(path.join(protoRoot, "handoff", "v1"))
      .filter((f) => f.endsWith(".proto"))
      .map((f) => `handoff/v1/${f}`);
    contracts = loadSync(files, { includeDirs: [protoRoot], keepCase: true });
  }
  return contracts;
}
