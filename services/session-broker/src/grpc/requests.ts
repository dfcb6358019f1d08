import { createHash } from "node:crypto";
import { InvalidArgumentError, requireDisplayName, requireId, requireText } from "@handoff/runtime";
import { Actor, Customer } from "@handoff/proto/common";
import { CreateSessionRequest, type Consent, type Requester } from "@handoff/proto/session_broker_service";
import type { RequesterValue } from "../domain/access";

/** Bounds of what a customer types into the intake form. */
export const CUSTOMER_LIMITS = {
  name: 200,
  company: 200,
  companyCode: 64,
  email: 320,
  description: 4_000,
  locale: 35,
} as const;
/** The fields a host site's identity token may vouch for (intake names them as the proto does). */
export const VERIFIABLE_FIELDS = ["name", "company", "company_code", "email"] as const;
export const MAX_TEXT = 4_000;
const MAX_TOKEN = 256;

const KIND_OF: Partial<Record<Actor, RequesterValue["kind"]>> = {
  [Actor.ACTOR_CUSTOMER]: "customer",
  [Actor.ACTOR_REP]: "rep",
  [Actor.ACTOR_SUPERVISOR]: "supervisor",
  [Actor.ACTOR_SYSTEM]: "system",
};

/** The requester of a call: an actor with the id (rep, supervisor) or the token (customer) it needs. */
export function requireRequester(requester: Requester | undefined, field = "requester"): RequesterValue {
  const kind = requester ? KIND_OF[requester.actor] : undefined;
  if (!requester || !kind)
    throw new InvalidArgumentError(`${field}.actor`, "must be CUSTOMER, REP, SUPERVISOR or SYSTEM");
  if (kind === "customer") {
    if (!requester.customerToken)
      throw new InvalidArgumentError(`${field}.customer_token`, "is required for the customer");
    requireText(requester.customerToken, `${field}.customer_token`, MAX_TOKEN);
    return { kind, id: "", customerToken: requester.customerToken };
  }
  if (kind === "system") return { kind, id: "", customerToken: "" };
  return { kind, id: requireId(requester.id, `${field}.id`), customerToken: "" };
}

/** A requester that must be a rep (his id). */
export function requireRep(requester: Requester | undefined, field = "requester"): RequesterValue {
  const value = requireRequester(requester, field);
  if (value.kind !== "rep" && value.kind !== "supervisor")
    throw new InvalidArgumentError(`${field}.actor`, "must be REP or SUPERVISOR");
  return value;
}

export function requireCustomer(customer: Customer | undefined): Customer {
  const c = customer ?? Customer.fromPartial({});
  return {
    name: requireDisplayName(c.name, "customer.name", CUSTOMER_LIMITS.name, 0),
    company: requireDisplayName(c.company, "customer.company", CUSTOMER_LIMITS.company, 0),
    email: checkEmail(requireText(c.email, "customer.email", CUSTOMER_LIMITS.email)),
    description: requireText(c.description, "customer.description", CUSTOMER_LIMITS.description),
    locale: checkLocale(requireText(c.locale, "customer.locale", CUSTOMER_LIMITS.locale)),
    companyCode: requireText(c.companyCode, "customer.company_code", CUSTOMER_LIMITS.companyCode),
    verifiedFields: checkVerifiedFields(c.verifiedFields),
  };
}

function checkVerifiedFields(fields: string[]): string[] {
  const unknown = fields.find((f) => !(VERIFIABLE_FIELDS as readonly string[]).includes(f));
  if (unknown !== undefined)
    throw new InvalidArgumentError("customer.verified_fields", `must name only ${VERIFIABLE_FIELDS.join(", ")}`);
  return [...new Set(fields)];
}

function checkEmail(value: string): string {
  if (value && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))
    throw new InvalidArgumentError("customer.email", "is not an e-mail address");
  return value;
}

function checkLocale(value: string): string {
  if (value && !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(value))
    throw new InvalidArgumentError("customer.locale", "must be a BCP 47 language tag such as en-US");
  return value;
}

/** The customer must accept the agreement before a session starts; the version he saw is kept. */
export function requireConsent(consent: Consent | undefined): Consent {
  if (!consent?.agreementAccepted) throw new InvalidArgumentError("consent.agreement_accepted", "must be true");
  return {
    agreementAccepted: true,
    agreementVersion: requireText(consent.agreementVersion, "consent.agreement_version", 64),
    recordingAllowed: consent.recordingAllowed,
    accessLinkAllowed: consent.accessLinkAllowed,
    recordedAtMs: 0,
  };
}

/** Milliseconds given by a caller: 0 (the default) or within [min, max]. */
export function optionalDuration(value: number, field: string, min: number, max: number): number {
  if (value === 0) return 0;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new InvalidArgumentError(field, `must be 0 (the site's default) or from ${min} to ${max} ms`);
  return value;
}

/** A start's idempotency key: what intake's Idempotency-Key header accepts. */
const START_KEY = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * The start's idempotency key (undefined when none was sent) with a SHA-256 of everything else the
 * start asks for, so a retry is told apart from another start under the same key. The customer's
 * address, intake's portal-open flag and `repeat_only` are left out: a retry may come through another
 * proxy, or after closing time.
 */
export function startKeyOf(req: CreateSessionRequest): { key: string; fingerprint: Buffer } | undefined {
  if (req.idempotencyKey === "") {
    if (req.repeatOnly) throw new InvalidArgumentError("idempotency_key", "is required with repeat_only");
    return undefined;
  }
  if (!START_KEY.test(req.idempotencyKey))
    throw new InvalidArgumentError("idempotency_key", "must be 16 to 64 characters of A-Z a-z 0-9 _ -");
  const asked = CreateSessionRequest.encode({
    ...req,
    clientAddress: "",
    portalClosed: false,
    idempotencyKey: "",
    repeatOnly: false,
  });
  return { key: req.idempotencyKey, fingerprint: createHash("sha256").update(asked.finish()).digest() };
}
