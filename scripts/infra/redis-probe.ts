import { connect } from "node:net";

/**
 * Sends one command to a Redis server on 127.0.0.1:port and returns the reply as text (simple
 * string, integer or bulk string); rejects on a Redis error reply, a refused connection or after
 * timeoutMs. Just enough RESP for readiness checks (PING, CLUSTER INFO) without a client library.
 */
export function redisCommand(port: number, args: readonly string[], timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let buffer = Buffer.alloc(0);
    const finish = (error: Error | undefined, reply?: string): void => {
      socket.destroy();
      if (error) reject(error);
      else resolve(reply ?? "");
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no reply from 127.0.0.1:${port} in ${timeoutMs} ms`)));
    socket.once("error", (error) => finish(error));
    socket.once("connect", () => {
      const parts = args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
      socket.write(`*${args.length}\r\n${parts.join("")}`);
    });
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const lineEnd = buffer.indexOf("\r\n");
      if (lineEnd < 0) return;
      const type = String.fromCharCode(buffer[0] ?? 0);
      const line = buffer.subarray(1, lineEnd).toString("utf8");
      if (type === "-") finish(new Error(line));
      else if (type === "+" || type === ":") finish(undefined, line);
      else if (type === "$") {
        const length = Number(line);
        if (length < 0) finish(undefined, "");
        else if (buffer.length >= lineEnd + 2 + length) {
          finish(undefined, buffer.subarray(lineEnd + 2, lineEnd + 2 + length).toString("utf8"));
        }
      } else finish(new Error(`unexpected reply type '${type}' from 127.0.0.1:${port}`));
    });
  });
}
