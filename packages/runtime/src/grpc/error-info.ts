import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { Metadata } from "@grpc/grpc-js";
import type { GrpcStatusError } from "./errors";

/**
 * gRPC's rich error model (https://google.aip.dev/193): a refusal carries a `google.rpc.Status` in the
 * `grpc-status-details-bin` trailer, whose details hold one `google.rpc.ErrorInfo` with a
 * machine-readable reason, so callers need not parse the message. Only the two messages are encoded
 * here, by hand on the protobuf wire format (ts-proto's own writer), instead of vendoring google/rpc:
 *
 *   message Status    { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
 *   message Any       { string type_url = 1; bytes value = 2; }
 *   message ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }
 */

/** The trailer grpc-js (and every other gRPC implementation) reads the rich status from. */
export const STATUS_DETAILS_TRAILER = "grpc-status-details-bin";
export const ERROR_INFO_TYPE_URL = "type.googleapis.com/google.rpc.ErrorInfo";

/** Why a call was refused: `reason` is UPPER_SNAKE_CASE and unique within `domain` (e.g. `handoff.acd`). */
export interface ErrorInfo {
  reason: string;
  domain: string;
  /** Facts about this refusal, e.g. `{ session_id: "s1", current_epoch: "4" }`. */
  metadata: Record<string, string>;
}

/** A `google.rpc.Status` as carried in the trailer. */
export interface RichStatus {
  code: number;
  message: string;
  /** The first ErrorInfo among the details, if any. */
  errorInfo?: ErrorInfo;
}

const attached = new WeakMap<GrpcStatusError, ErrorInfo>();

/**
 * Gives a refusal its machine-readable reason. The runtime's handlers (`unary`, `serverStream`) write
 * it as the `grpc-status-details-bin` trailer when the error reaches the client; read it there with
 * {@link errorReason} or {@link errorInfo}.
 */
export function withErrorInfo<E extends GrpcStatusError>(
  error: E,
  reason: string,
  domain: string,
  metadata: Record<string, string> = {},
): E {
  attached.set(error, { reason, domain, metadata });
  return error;
}

/** Writes the error's Status (its code, details and ErrorInfo) into its trailers; no-op without one. */
export function attachStatusDetails(error: GrpcStatusError): void {
  const info = attached.get(error);
  if (!info) return;
  error.metadata.set(
    STATUS_DETAILS_TRAILER,
    Buffer.from(encodeRichStatus({ code: error.code, message: error.details, errorInfo: info })),
  );
}

export function encodeRichStatus(status: RichStatus): Uint8Array {
  const writer = new BinaryWriter();
  if (status.code !== 0) writer.tag(1, WireType.Varint).int32(status.code);
  if (status.message) writer.tag(2, WireType.LengthDelimited).string(status.message);
  if (status.errorInfo) {
    writer
      .tag(3, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string(ERROR_INFO_TYPE_URL)
      .tag(2, WireType.LengthDelimited)
      .bytes(encodeErrorInfo(status.errorInfo))
      .join();
  }
  return writer.finish();
}

function encodeErrorInfo(info: ErrorInfo): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).string(info.reason);
  writer.tag(2, WireType.LengthDelimited).string(info.domain);
  for (const [key, value] of Object.entries(info.metadata)) {
    writer
      .tag(3, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string(key)
      .tag(2, WireType.LengthDelimited)
      .string(value)
      .join();
  }
  return writer.finish();
}

/** Reads a `google.rpc.Status`; unknown fields and details of other types are skipped. */
export function decodeRichStatus(bytes: Uint8Array): RichStatus {
  const reader = new BinaryReader(bytes);
  const status: RichStatus = { code: 0, message: "" };
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.Varint) status.code = reader.int32();
    else if (field === 2 && wireType === WireType.LengthDelimited) status.message = reader.string();
    else if (field === 3 && wireType === WireType.LengthDelimited) {
      const any = decodeAny(reader.bytes());
      if (!status.errorInfo && any.typeUrl === ERROR_INFO_TYPE_URL) status.errorInfo = decodeErrorInfo(any.value);
    } else reader.skip(wireType, field);
  }
  return status;
}

function decodeAny(bytes: Uint8Array): { typeUrl: string; value: Uint8Array } {
  const reader = new BinaryReader(bytes);
  const any: { typeUrl: string; value: Uint8Array } = { typeUrl: "", value: new Uint8Array() };
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) any.typeUrl = reader.string();
    else if (field === 2 && wireType === WireType.LengthDelimited) any.value = reader.bytes();
    else reader.skip(wireType, field);
  }
  return any;
}

function decodeErrorInfo(bytes: Uint8Array): ErrorInfo {
  const reader = new BinaryReader(bytes);
  const info: ErrorInfo = { reason: "", domain: "", metadata: {} };
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) info.reason = reader.string();
    else if (field === 2 && wireType === WireType.LengthDelimited) info.domain = reader.string();
    else if (field === 3 && wireType === WireType.LengthDelimited) {
      const entry = new BinaryReader(reader.bytes());
      let key = "";
      let value = "";
      while (entry.pos < entry.len) {
        const [entryField, entryWireType] = entry.tag();
        if (entryField === 1 && entryWireType === WireType.LengthDelimited) key = entry.string();
        else if (entryField === 2 && entryWireType === WireType.LengthDelimited) value = entry.string();
        else entry.skip(entryWireType, entryField);
      }
      info.metadata[key] = value;
    } else reader.skip(wireType, field);
  }
  return info;
}

/**
 * The ErrorInfo of a failed call as the client sees it (a grpc-js `ServiceError`, whose `metadata`
 * holds the trailers); undefined when the server sent none or the trailer does not decode.
 */
export function errorInfo(error: unknown): ErrorInfo | undefined {
  // Duck-typed: the caller's grpc-js may be another copy than the runtime's.
  const metadata = (error as { metadata?: Partial<Metadata> } | null | undefined)?.metadata;
  if (typeof metadata?.get !== "function") return undefined;
  for (const value of metadata.get(STATUS_DETAILS_TRAILER)) {
    if (typeof value === "string") continue;
    try {
      const info = decodeRichStatus(value).errorInfo;
      if (info) return info;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The machine-readable reason of a failed call (`STALE_EPOCH`, ...), or undefined when it has none. */
export function errorReason(error: unknown): string | undefined {
  return errorInfo(error)?.reason;
}
