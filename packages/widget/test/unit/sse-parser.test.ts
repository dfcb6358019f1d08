import { describe, expect, it } from "vitest";
import { SseParser, type SseFrame } from "../../src/frame/sse-parser";

const parse = (...chunks: string[]) => {
  const frames: SseFrame[] = [];
  const parser = new SseParser((frame) => frames.push(frame));
  for (const chunk of chunks) parser.push(chunk);
  return frames;
};

describe("event stream parser", () => {
  it("reads event, id and data, and skips comments", () => {
    expect(parse(': keep-alive\n\nevent: chat\nid: 7\ndata: {"text":"hi"}\n\n')).toEqual([
      { event: "chat", id: "7", data: '{"text":"hi"}' },
    ]);
  });

  it("joins frames split across chunks at any point, CRLF or LF", () => {
    expect(parse("event: posi", 'tion\r\ndata: {"position":2}\r', "\n\r\nevent: hold\ndata: x\n", "\n")).toEqual([
      { event: "position", id: null, data: '{"position":2}' },
      { event: "hold", id: null, data: "x" },
    ]);
  });

  it("joins multi-line data with newlines", () => {
    expect(parse("data: a\ndata: b\n\n")).toEqual([{ event: "message", id: null, data: "a\nb" }]);
  });

  it("refuses a frame that never ends", () => {
    const parser = new SseParser(() => undefined);
    expect(() => parser.push("data: " + "x".repeat(70_000))).toThrow(/too large/);
  });
});
