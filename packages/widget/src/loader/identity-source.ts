import { identityToken } from "../protocol";
import type { LoaderConfig } from "./loader-config";

/** A slow or hanging host callback must not hold the customer's start for long. */
const CALLBACK_TIMEOUT_MS = 5_000;

/**
 * The host site's identity JWT for a start: a fresh one from the named global callback when there is
 * one, else the data-identity-token attribute, else null. Anything unusable is null (the start then
 * goes without verified identity, as if the host had none).
 */
export async function hostIdentityToken(config: LoaderConfig): Promise<string | null> {
  if (config.identityCallback === null) return config.identityToken;
  const callback = (window as unknown as Record<string, unknown>)[config.identityCallback];
  if (typeof callback !== "function") return config.identityToken;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), CALLBACK_TIMEOUT_MS)));
  try {
    return identityToken(await Promise.race([Promise.resolve((callback as () => unknown)()), timeout]));
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
