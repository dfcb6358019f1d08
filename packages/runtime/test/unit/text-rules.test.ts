import { characterCount, displayNameProblem, textProblem } from "@handoff/runtime/fields";
import { describe, expect, it } from "vitest";

describe("text rules", () => {
  it("counts characters as code points: an emoji or a supplementary CJK character is one", () => {
    expect(characterCount("abc")).toBe(3);
    expect(characterCount("👍👍")).toBe(2);
    expect(characterCount("𠀋x")).toBe(2);
    // A lone surrogate is still one character.
    expect(characterCount("\ud800a")).toBe(2);
  });

  it("bounds text by characters, so 200 emoji fit in 200", () => {
    expect(textProblem("👍".repeat(200), 200)).toBeUndefined();
    expect(textProblem("👍".repeat(201), 200)).toBe("at most 200 characters");
    expect(textProblem("", 10, 1)).toBe("must not be empty");
  });

  it("allows tab and newlines in free text but no other control character, C1 included", () => {
    expect(textProblem("line one\n\tline two\r\n", 100)).toBeUndefined();
    expect(textProblem("bell\u0007", 100)).toBe("must not contain control characters");
    expect(textProblem("next line\u0085", 100)).toBe("must not contain control characters");
  });

  it.each([
    ["a newline", "Support\nTeam"],
    ["a tab", "Support\tTeam"],
    ["a right-to-left override", "Support\u202etxt.exe"],
    ["a left-to-right embedding", "\u202aSupport"],
    ["a first-strong isolate", "\u2068Support\u2069"],
    ["a right-to-left mark", "Support\u200f"],
    ["an Arabic letter mark", "\u061cSupport"],
    ["a line separator", "Support\u2028Team"],
  ])("refuses a display name with %s", (_case, name) => {
    expect(displayNameProblem(name, 200)).toBe("must not contain control, line-separator or bidi-override characters");
  });

  it("accepts right-to-left and other scripts in a display name without any bidi control", () => {
    expect(displayNameProblem("الدعم الفني", 200)).toBeUndefined();
    expect(displayNameProblem("תמיכה", 200)).toBeUndefined();
    expect(displayNameProblem("サポート 👍", 200)).toBeUndefined();
    expect(displayNameProblem("   ", 200)).toBe("must not be empty");
    expect(displayNameProblem("", 200, 0)).toBeUndefined();
  });
});
