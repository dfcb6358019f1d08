import type { FieldProblem } from "@handoff/runtime";
import type { PortalConfig } from "./portal-config";

/**
 * What a new version may not change against the current one: customers who accepted agreement
 * version V accepted its text (the session records V), so a new text needs a new version.
 */
export function portalConfigChangeProblems(current: PortalConfig | undefined, next: PortalConfig): FieldProblem[] {
  const before = current?.agreement;
  const after = next.agreement;
  if (!before || !after || before.version !== after.version || before.text === after.text) return [];
  return [
    {
      field: "config.agreement.version",
      problem: `must change when the agreement text changes (customers accepted version ${before.version} with the current text)`,
    },
  ];
}
