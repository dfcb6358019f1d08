import type { Logger } from "@handoff/runtime";
import { createHmac } from "node:crypto";
import { Agent, fetch, type Dispatcher } from "undici";
import { literalRefusal, NON_PUBLIC_CODE, publicOnlyLookup } from "./webhook-destination";

/** A receiver that does not answer within this is given up on for the attempt. */
const TIMEOUT_MS = 5_000;
/** Pauses before the 2nd and 3rd attempts; then the callback is left to the page (if one opens). */
const RETRY_DELAYS_MS = [1_000, 4_000] as const;

export interface WebhookTarget {
  url: string;
  secret: string;
}

/**
 * `Handoff-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the receiver recomputes
 * the HMAC over the raw body with the site's secret, compares in constant time, and refuses an old `t`
 * (a replayed request).
 */
export function signatureHeader(secret: string, body: string, atMs = Date.now()): string {
  const t = Math.floor(atMs / 1_000);
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

export interface WebhookOptions {
  /**
   * "refuse" (production): only public addresses are posted to (see webhook-destination.ts); "allow":
   * any, for a developer's receiver on localhost.
   */
  nonPublicAddresses: "allow" | "refuse";
  delaysMs?: readonly number[];
}

/**
 * The site's notifier: a signed JSON POST. 5 s per attempt, no redirects (a 3xx is a failure: a
 * redirect could carry the link elsewhere), at most 3 attempts on a network failure, a timeout, 429 or
 * 5xx; any other 4xx, and a destination that is not public when those are refused, is final. Returns
 * whether the receiver took it (2xx).
 */
export class WebhookNotifier {
  readonly #dispatcher: Dispatcher | undefined;
  readonly #delaysMs: readonly number[];

  constructor(
    private readonly logger: Logger,
    private readonly options: WebhookOptions,
  ) {
    this.#delaysMs = options.delaysMs ?? RETRY_DELAYS_MS;
    this.#dispatcher =
      options.nonPublicAddresses === "refuse" ? new Agent({ connect: { lookup: publicOnlyLookup } }) : undefined;
  }

  async post(target: WebhookTarget, payload: unknown): Promise<boolean> {
    const refusal = this.options.nonPublicAddresses === "refuse" ? literalRefusal(target.url) : undefined;
    if (refusal) {
      this.logger.warn({ reason: refusal }, "keep-my-place webhook refused: not a public address");
      return false;
    }
    const body = JSON.stringify(payload);
    for (let attempt = 0; ; attempt++) {
      let retry: boolean;
      try {
        const response = await fetch(target.url, {
          dispatcher: this.#dispatcher,
          method: "POST",
          redirect: "manual",
          signal: AbortSignal.timeout(TIMEOUT_MS),
          headers: {
            "Content-Type": "application/json",
            "User-Agent": "Handoff-Webhook/1",
            "Handoff-Signature": signatureHeader(target.secret, body),
          },
          body,
        });
        await response.body?.cancel();
        if (response.ok) return true;
        retry = response.status === 429 || response.status >= 500;
        this.logger.warn({ status: response.status, attempt }, "keep-my-place webhook refused");
      } catch (error) {
        const refused = (error as { cause?: { code?: string } }).cause?.code === NON_PUBLIC_CODE;
        retry = !refused;
        this.logger.warn(
          { err: error, attempt },
          refused ? "keep-my-place webhook refused: not a public address" : "keep-my-place webhook failed",
        );
      }
      const delay = this.#delaysMs[attempt];
      if (!retry || delay === undefined) return false;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
