import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEvent {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
}

/** A real HTTP server standing in for the receiver of outbound events; queue failures to see retries. */
export class OutboundReceiver {
  readonly received: ReceivedEvent[] = [];
  private readonly failures: number[] = [];
  private server?: Server;
  url = '';

  failNext(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const status = this.failures.shift() ?? 204;
      this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/events`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Accepted events of a type, parsed. */
  events(type: string): Array<{ id: string; type: string; data: Record<string, any> }> {
    return this.received
      .filter((r) => r.status < 300)
      .map((r) => JSON.parse(r.body))
      .filter((e) => e.type === type);
  }
}
