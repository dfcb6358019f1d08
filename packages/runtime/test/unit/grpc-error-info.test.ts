import { Metadata, status } from "@grpc/grpc-js";
import {
  attachStatusDetails,
  decodeRichStatus,
  encodeRichStatus,
  errorInfo,
  errorReason,
  failedPrecondition,
  STATUS_DETAILS_TRAILER,
  withErrorInfo,
} from "@handoff/runtime";
import { describe, expect, it } from "vitest";

/**
 * google.rpc.Status{code: 9, message: "stale", details: [Any{type_url: ".../google.rpc.ErrorInfo", value:
 * ErrorInfo{reason: "STALE_EPOCH", domain: "handoff.acd", metadata: {epoch: "4"}}}]}, encoded field by
 * field from the protobuf encoding spec (tag = field << 3 | wire type, then length-prefixed bytes).
 */
const SPEC_BYTES =
  "0809" + // code = 9
  "12057374616c65" + // message = "stale"
  "1a52" + // details[0], 82 bytes
  "0a28747970652e676f6f676c65617069732e636f6d2f676f6f676c652e7270632e4572726f72496e666f" + // type_url
  "1226" + // value, 38 bytes
  "0a0b5354414c455f45504f4348" + // reason
  "120b68616e646f66662e616364" + // domain
  "1a0a0a0565706f6368120134"; // metadata entry {epoch: "4"}

describe("google.rpc error details", () => {
  it("round-trips a status with its ErrorInfo through the wire format", () => {
    const bytes = encodeRichStatus({
      code: status.FAILED_PRECONDITION,
      message: "fencing token 3 of session s1 is stale",
      errorInfo: { reason: "STALE_EPOCH", domain: "handoff.acd", metadata: { session_id: "s1", current_epoch: "4" } },
    });
    expect(decodeRichStatus(bytes)).toEqual({
      code: status.FAILED_PRECONDITION,
      message: "fencing token 3 of session s1 is stale",
      errorInfo: { reason: "STALE_EPOCH", domain: "handoff.acd", metadata: { session_id: "s1", current_epoch: "4" } },
    });
  });

  it("encodes byte for byte as the protobuf spec says, so any gRPC client can read it", () => {
    const bytes = encodeRichStatus({
      code: 9,
      message: "stale",
      errorInfo: { reason: "STALE_EPOCH", domain: "handoff.acd", metadata: { epoch: "4" } },
    });
    expect(Buffer.from(bytes).toString("hex")).toBe(SPEC_BYTES);
  });

  it("puts the reason of a refusal in the grpc-status-details-bin trailer, and reads it back from the trailers", () => {
    const error = withErrorInfo(failedPrecondition("offer expired"), "OFFER_EXPIRED", "handoff.acd", { epoch: "2" });
    attachStatusDetails(error);
    const trailer = error.metadata.get(STATUS_DETAILS_TRAILER)[0] as Buffer;
    expect(decodeRichStatus(trailer)).toMatchObject({ code: status.FAILED_PRECONDITION, message: "offer expired" });
    // The client side sees a ServiceError whose metadata holds the trailers.
    const clientSide = { code: status.FAILED_PRECONDITION, metadata: error.metadata };
    expect(errorReason(clientSide)).toBe("OFFER_EXPIRED");
    expect(errorInfo(clientSide)).toEqual({ reason: "OFFER_EXPIRED", domain: "handoff.acd", metadata: { epoch: "2" } });
  });

  it("answers undefined for errors without a reason, without metadata, or with a trailer that does not decode", () => {
    expect(errorReason(failedPrecondition("no reason"))).toBeUndefined();
    expect(errorReason(new Error("plain"))).toBeUndefined();
    expect(errorReason(undefined)).toBeUndefined();
    const garbled = new Metadata();
    garbled.set(STATUS_DETAILS_TRAILER, Buffer.from([0x1a, 0xff, 0xff]));
    expect(errorReason({ metadata: garbled })).toBeUndefined();
  });

  it("skips details of other types and unknown fields", () => {
    const other = Buffer.concat([
      Buffer.from([0x08, 0x05]),
      // details[0]: Any{type_url: "x", value: ""}
      Buffer.from([0x1a, 0x03, 0x0a, 0x01, 0x78]),
      // field 9 (unknown), varint 1
      Buffer.from([0x48, 0x01]),
    ]);
    expect(decodeRichStatus(other)).toEqual({ code: 5, message: "" });
  });
});
