import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import type { PackageDefinition } from "@grpc/proto-loader";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { contractDefinitions } from "./contract-definitions";
import { InvalidArgumentError } from "./errors";

/**
 * ts-proto decodes int64 fields into JavaScript numbers (`forceLong=number`) and throws on values
 * beyond ±(2^53 − 1); grpc-js then answers INTERNAL "Error deserializing request". A request that
 * does not decode is the caller's fault: this turns it into INVALID_ARGUMENT naming the field.
 */

const UNDECODABLE = Symbol("undecodable request");
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_TYPES = new Set(["TYPE_INT64", "TYPE_UINT64", "TYPE_SINT64", "TYPE_FIXED64", "TYPE_SFIXED64"]);
/** Nesting followed when looking for the field; protobuf's own default recursion limit. */
const MAX_DEPTH = 100;

interface FieldDescriptor {
  name: string;
  number: number;
  type: string;
  label: string;
  typeName: string;
}
interface MessageDescriptor {
  field: FieldDescriptor[];
}

/** A message's descriptor and full name; `scope` is the full name of a type in the same package. */
function messageType(
  definitions: PackageDefinition,
  name: string,
  scope: string,
): { fullName: string; type: MessageDescriptor } | undefined {
  // proto-loader gives type names relative to the package (`RoutingConfig`).
  const pkg = scope.slice(0, scope.lastIndexOf("."));
  for (const fullName of [name.replace(/^\./, ""), `${pkg}.${name}`]) {
    const found = definitions[fullName] as { type?: MessageDescriptor } | undefined;
    if (found?.type?.field) return { fullName, type: found.type };
  }
  return undefined;
}

function readInt64(reader: BinaryReader, type: string): bigint {
  const value =
    type === "TYPE_UINT64"
      ? reader.uint64()
      : type === "TYPE_SINT64"
        ? reader.sint64()
        : type === "TYPE_FIXED64"
          ? reader.fixed64()
          : type === "TYPE_SFIXED64"
            ? reader.sfixed64()
            : reader.int64();
  return BigInt(value);
}

/** The path of the first int64 field of `bytes` outside JavaScript's safe integers, or undefined. */
function unsafeInt64Field(
  definitions: PackageDefinition,
  bytes: Uint8Array,
  type: MessageDescriptor,
  typeName: string,
  prefix: string,
  depth: number,
): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const reader = new BinaryReader(bytes);
  const seen = new Map<number, number>();
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    const field = type.field.find((f) => f.number === number);
    if (!field) {
      reader.skip(wireType, number);
      continue;
    }
    const index = seen.get(number) ?? 0;
    seen.set(number, index + 1);
    const repeated = field.label === "LABEL_REPEATED";
    const path = (i: number) => `${prefix}${field.name}${repeated ? `[${i}]` : ""}`;
    if (INT64_TYPES.has(field.type)) {
      if (wireType === WireType.LengthDelimited) {
        // A packed repeated field: its values one after another.
        const packed = new BinaryReader(reader.bytes());
        for (let i = index; packed.pos < packed.len; i++) {
          const value = readInt64(packed, field.type);
          if (value > MAX_SAFE || value < -MAX_SAFE) return path(i);
        }
        seen.set(number, index + 1);
      } else {
        const value = readInt64(reader, field.type);
        if (value > MAX_SAFE || value < -MAX_SAFE) return path(index);
      }
    } else if (field.type === "TYPE_MESSAGE" && wireType === WireType.LengthDelimited) {
      const nested = messageType(definitions, field.typeName, typeName);
      const inner = reader.bytes();
      const found =
        nested && unsafeInt64Field(definitions, inner, nested.type, nested.fullName, `${path(index)}.`, depth + 1);
      if (found) return found;
    } else {
      reader.skip(wireType, number);
    }
  }
  return undefined;
}

/** Why a request that failed to decode is refused, naming the field where it can. */
function decodeRefusal(
  definitions: PackageDefinition,
  type: MessageDescriptor | undefined,
  scope: string,
  bytes: Buffer,
  error: unknown,
): InvalidArgumentError {
  let field: string | undefined;
  try {
    field = type && unsafeInt64Field(definitions, bytes, type, scope, "", 0);
  } catch {
    field = undefined;
  }
  if (field) return new InvalidArgumentError(field, "must be an integer between -(2^53 - 1) and 2^53 - 1");
  const why = error instanceof Error ? error.message : String(error);
  return new InvalidArgumentError("request", `is not a valid message (${why})`);
}

type DescribedService = Record<string, { requestType: { type: unknown } } | undefined>;

/**
 * The service's methods with a request decoder that never throws: a request that does not decode
 * becomes a marker the runtime's handlers (`unary`, `serverStream`) answer with INVALID_ARGUMENT.
 */
export function withDecodeRefusals(definition: ServiceDefinition): ServiceDefinition {
  const definitions = contractDefinitions();
  const guarded: Record<string, ServiceDefinition[string]> = {};
  for (const [name, method] of Object.entries(definition)) {
    const slash = method.path.lastIndexOf("/");
    const serviceName = method.path.slice(1, slash);
    const described = (definitions[serviceName] as unknown as DescribedService | undefined)?.[
      method.path.slice(slash + 1)
    ];
    const requestType = described?.requestType.type as MessageDescriptor | undefined;
    guarded[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return method.requestDeserialize(bytes);
        } catch (error) {
          return { [UNDECODABLE]: decodeRefusal(definitions, requestType, serviceName, bytes, error) };
        }
      },
    };
  }
  return guarded;
}

/** The refusal of a request that did not decode (see {@link withDecodeRefusals}), or undefined. */
export function decodeFailure(request: unknown): InvalidArgumentError | undefined {
  return typeof request === "object" && request !== null && UNDECODABLE in request
    ? (request as { [UNDECODABLE]: InvalidArgumentError })[UNDECODABLE]
    : undefined;
}
