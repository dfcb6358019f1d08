import type { z } from "zod";
import { openStateAt } from "../domain/business-hours";
import type { ListedRep } from "./rep-directory";
import type { portalView } from "./portal-schemas";
import type { SitePortal } from "./site-portals";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type Notice = SitePortal["config"]["notices"][number];

/** A notice is active from `activeFrom` (inclusive) until `activeUntil` (exclusive); open ends are unbounded. */
export const isActive = (notice: Notice, atMs: number): boolean =>
  (!notice.activeFrom || Date.parse(notice.activeFrom) <= atMs) &&
  (!notice.activeUntil || atMs < Date.parse(notice.activeUntil));

/** Notices shown on the portal: the automatic ones in their window (pushed ones go to waiting customers). */
export const automaticNotices = (portal: SitePortal, atMs: number) =>
  portal.config.notices.filter((n) => n.delivery === "automatic" && isActive(n, atMs));

/** The portal as a customer sees it at `atMs`: what is open, who can help, what he must accept. */
export function portalViewJson(portal: SitePortal, reps: ListedRep[], atMs: number): z.infer<typeof portalView> {
  const { config, routing } = portal;
  const state = openStateAt(config.schedule ?? null, atMs);
  const labels = new Map((routing?.problemTypes ?? []).map((p) => [p.id, p.label]));
  return {
    siteId: portal.siteId,
    configVersion: portal.version,
    open: state.open,
    opensAt: state.open ? null : iso(state.opensAtMs),
    closesAt: state.open ? iso(state.closesAtMs) : null,
    startMethods: {
      repList: config.startMethods.repList,
      issue: config.startMethods.issueForm,
      sessionKey: config.startMethods.sessionKey,
      invitationLink: true,
      modes: config.startMethods.clientModes,
    },
    // A problem type the acd no longer has cannot be routed: it is not offered.
    problemTypes: config.problemTypes.flatMap((id) => {
      const label = labels.get(id);
      return label === undefined ? [] : [{ id, label }];
    }),
    reps: config.startMethods.repList && state.open ? reps : [],
    notices: automaticNotices(portal, atMs).map((n) => ({ id: n.id, text: n.text })),
    agreement: config.agreement ? { text: config.agreement.text, version: config.agreement.version } : null,
    recordingPrompt: config.recordingPrompt?.text ?? null,
    fallbackUrl: config.fallbackUrl ?? null,
    keepPlace: config.keepPlace
      ? { callAtPosition: config.keepPlace.callAtPosition, returnWithinSeconds: config.keepPlace.returnWithinSeconds }
      : null,
  };
}
