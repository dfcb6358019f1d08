import { InvalidFieldError } from "./errors";

export type DisconnectFallbackName = "wait_for_rep" | "requeue" | "team" | "end";

/** A site's session rules. Defaults are declared once, in DEFAULT_BROKER_SETTINGS. */
export interface BrokerSettingsValues {
  /** Where a customer goes when no rep can take him ("" for none). */
  fallbackUrl: string;
  /** When no eligible rep is logged in: queue anyway, or end the session at once. @default true */
  queueWhenNoRep: boolean;
  /** @default 600_000 (10 minutes) */
  sessionKeyTtlMs: number;
  /** @default 604_800_000 (7 days) */
  invitationTtlMs: number;
  /** @default 86_400_000 (24 hours) */
  accessLinkTtlMs: number;
  /** @default 60_000 */
  disconnectGraceMs: number;
  /** @default "requeue" */
  disconnectFallback: DisconnectFallbackName;
  /** For the "team" fallback. */
  disconnectFallbackTeamId: string;
  /** Base of invitation links; the token is appended. */
  invitationBaseUrl: string;
}

export const DEFAULT_BROKER_SETTINGS: BrokerSettingsValues = {
  fallbackUrl: "",
  queueWhenNoRep: true,
  sessionKeyTtlMs: 600_000,
  invitationTtlMs: 604_800_000,
  accessLinkTtlMs: 86_400_000,
  disconnectGraceMs: 60_000,
  disconnectFallback: "requeue",
  disconnectFallbackTeamId: "",
  invitationBaseUrl: "http://127.0.0.1:8080/invite/",
};

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Bounds of each duration: [min, max] in ms. */
const TTL_BOUNDS = {
  sessionKeyTtlMs: [MINUTE, DAY],
  invitationTtlMs: [5 * MINUTE, 30 * DAY],
  accessLinkTtlMs: [5 * MINUTE, 30 * DAY],
  disconnectGraceMs: [1_000, 60 * MINUTE],
} as const;
const FIELD_NAMES: Record<keyof typeof TTL_BOUNDS, string> = {
  sessionKeyTtlMs: "settings.session_key_ttl_ms",
  invitationTtlMs: "settings.invitation_ttl_ms",
  accessLinkTtlMs: "settings.access_link_ttl_ms",
  disconnectGraceMs: "settings.disconnect_grace_ms",
};
const MAX_URL_LENGTH = 2_048;

function checkUrl(value: string, field: string): void {
  if (!value) return;
  if (value.length > MAX_URL_LENGTH) throw new InvalidFieldError(field, `at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidFieldError(field, "must be an absolute http(s) URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new InvalidFieldError(field, "must be an absolute http(s) URL");
}

/**
 * The settings to store: zero durations take their defaults, everything else is checked whole.
 * @throws InvalidFieldError naming the first bad field.
 */
export function validateBrokerSettings(input: BrokerSettingsValues): BrokerSettingsValues {
  const settings = { ...input };
  for (const key of Object.keys(TTL_BOUNDS) as (keyof typeof TTL_BOUNDS)[]) {
    if (settings[key] === 0) settings[key] = DEFAULT_BROKER_SETTINGS[key];
    const [min, max] = TTL_BOUNDS[key];
    if (!Number.isInteger(settings[key]) || settings[key] < min || settings[key] > max)
      throw new InvalidFieldError(FIELD_NAMES[key], `must be from ${min} to ${max} ms`);
  }
  checkUrl(settings.fallbackUrl, "settings.fallback_url");
  if (!settings.invitationBaseUrl) settings.invitationBaseUrl = DEFAULT_BROKER_SETTINGS.invitationBaseUrl;
  checkUrl(settings.invitationBaseUrl, "settings.invitation_base_url");
  if (settings.disconnectFallback === "team" && !settings.disconnectFallbackTeamId)
    throw new InvalidFieldError("settings.disconnect_fallback_team_id", "is required for DISCONNECT_FALLBACK_TEAM");
  if (settings.disconnectFallback !== "team") settings.disconnectFallbackTeamId = "";
  return settings;
}
