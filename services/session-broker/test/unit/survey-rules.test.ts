import { describe, expect, it } from "vitest";
import { SessionStateConflictError } from "../../src/domain/errors";
import { checkCustomerSurveyAllowed } from "../../src/domain/survey-rules";

describe("the customer's exit survey", () => {
  it("comes after an ended session", () => {
    expect(() => checkCustomerSurveyAllowed("s", "ended", "resolved")).not.toThrow();
    expect(() => checkCustomerSurveyAllowed("s", "ended", "customer_left")).not.toThrow();
  });

  it("is refused while the session is live or after the customer abandoned the queue", () => {
    for (const state of ["created", "waiting", "offered", "active", "abandoned"] as const)
      expect(() => checkCustomerSurveyAllowed("s", state, null)).toThrow(SessionStateConflictError);
  });

  it("is never asked after a notice exit", () => {
    expect(() => checkCustomerSurveyAllowed("s", "ended", "notice_exit")).toThrow(/notice/);
  });
});
