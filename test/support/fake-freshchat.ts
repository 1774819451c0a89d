import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Route = (request: RecordedRequest) => Reply | undefined;

/**
 * A small real HTTP server standing in for Freshchat's REST API v2 (we do not run Freshchat).
 * Serve users and conversations by id, queue failures (500, 429) ahead of answers, and read back requests.
 */
export class FakeFreshchat {
  readonly requests: RecordedRequest[] = [];
  readonly users = new Map<string, unknown>();
  readonly conversations = new Map<string, unknown>();
  private readonly failures: Reply[] = [];
  private readonly routes: Route[] = [];
  private server?: Server;
  url = '';

  failNext(...replies: Reply[]): void {
    this.failures.push(...replies);
  }

  route(route: Route): void {
    this.routes.push(route);
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').replace(/^\/v2/, ''),
        authorization: req.headers.authorization,
        body: await readJson(req),
      };
      this.requests.push(recorded);
      const reply = this.failures.shift() ?? this.answer(recorded);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v2`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private answer(request: RecordedRequest): Reply {
    for (const route of this.routes) {
      const reply = route(request);
      if (reply) return reply;
    }
    const [pathname, query] = request.path.split('?');
    const [, kind, id] = pathname!.split('/').map(decodeURIComponent);
    const reference = new URLSearchParams(query ?? '').get('reference_id');
    if (request.method === 'GET' && kind === 'users' && !id && reference !== null) {
      const users = [...this.users.values()].filter((u) => (u as { reference_id?: string }).reference_id === reference);
      return { status: 200, body: { users } };
    }
    const store = kind === 'users' ? this.users : kind === 'conversations' ? this.conversations : undefined;
    if (request.method === 'GET' && store && id && store.has(id)) return { status: 200, body: store.get(id) };
    if (request.method === 'PUT' && kind === 'users') return { status: 200, body: request.body };
    return { status: 404, body: { code: 404, status: 'NOT_FOUND', message: 'not found' } };
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
