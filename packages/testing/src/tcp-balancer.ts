import net from "node:net";

/**
 * A loopback TCP load balancer in front of several replicas, as a Kubernetes Service is in
 * production: each new connection goes to the next backend in turn, and to the one after it when
 * that one refuses (a killed replica). Open connections are not moved: they break with their backend,
 * and the client reconnects through the balancer.
 */
export class TcpBalancer {
  private next = 0;
  private readonly open = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    private readonly backends: number[],
  ) {}

  /** Listens on an ephemeral loopback port in front of `backendPorts`. */
  static async start(backendPorts: number[]): Promise<TcpBalancer> {
    const server = net.createServer();
    const balancer = new TcpBalancer(server, [...backendPorts]);
    server.on("connection", (client) => {
      client.on("error", () => client.destroy());
      balancer.forward(client);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return balancer;
  }

  /** Sends new connections to `port` too (a replica that started after the balancer). */
  addBackend(port: number): void {
    if (!this.backends.includes(port)) this.backends.push(port);
  }

  /** Sends no new connections to `port` (a replica leaving, as a terminating pod leaves its Service's endpoints). */
  removeBackend(port: number): void {
    const at = this.backends.indexOf(port);
    if (at >= 0) this.backends.splice(at, 1);
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: net.Socket, tried = 0): void {
    if (tried >= this.backends.length) {
      client.destroy();
      return;
    }
    const port = this.backends[this.next++ % this.backends.length]!;
    const backend = net.connect(port, "127.0.0.1");
    const track = (socket: net.Socket) => {
      this.open.add(socket);
      socket.once("close", () => this.open.delete(socket));
    };
    let connected = false;
    backend.on("error", () => {
      if (connected) client.destroy();
      else if (!client.destroyed) this.forward(client, tried + 1);
    });
    backend.once("connect", () => {
      connected = true;
      track(client);
      track(backend);
      client.pipe(backend).pipe(client);
      client.once("close", () => backend.destroy());
      backend.once("close", () => client.destroy());
    });
  }
}
