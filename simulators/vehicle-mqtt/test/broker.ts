// A real MQTT broker for tests: aedes, in-process, on 127.0.0.1 (a free port, or a given one to restart on).
import { AddressInfo, Server, Socket, createServer } from 'net';
import { Aedes, AedesOptions, Client } from 'aedes';

export interface Tapped {
  topic: string;
  payload: Buffer;
  client: string;
  at: number;
}

export class TestBroker {
  /** Every message published by a client, in arrival order. */
  readonly tapped: Tapped[] = [];
  private readonly clients = new Map<string, Client>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly aedes: Aedes,
    private readonly server: Server,
    readonly port: number,
  ) {
    aedes.on('client', (client) => this.clients.set(client.id, client));
    aedes.on('clientDisconnect', (client) => {
      if (this.clients.get(client.id) === client) this.clients.delete(client.id);
    });
    aedes.on('publish', (packet, client) => {
      if (client) this.tapped.push({ topic: packet.topic, payload: Buffer.from(packet.payload), client: client.id, at: Date.now() });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(port = 0, options: AedesOptions = {}): Promise<TestBroker> {
    const aedes = await Aedes.createBroker(options);
    const server = createServer(aedes.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return new TestBroker(aedes, server, (server.address() as AddressInfo).port);
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** A connected client by its MQTT client id. */
  client(id: string): Client | undefined {
    return this.clients.get(id);
  }

  /** Stops accepting, drops every connection (as a crashing broker would) and closes aedes. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await closed;
  }
}
