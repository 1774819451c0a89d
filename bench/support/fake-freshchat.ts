import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
  /** When it arrived (epoch ms). */
  at: number;
}

/** `raw` is sent as is (not as JSON), for answers that are not JSON. */
type Reply = { status: number; body?: unknown; raw?: string; headers?: Record<string, string> };
type Route = (request: RecordedRequest) => Reply | undefined;

type Json = Record<string, any>;

/**
 * A small real HTTP server standing in for Freshchat's REST API v2 (we do not run Freshchat).
 * Serve users and conversations by id, queue failures (500, 429) ahead of answers, and read back requests.
 * It also keeps what Freshchat itself would know: `learn` a real-format webhook and the conversation, its messages
 * (paged, newest first, with resolution and reopen marker messages carrying `meta_data`) and the user's conversation
 * list follow, whether or not the webhook ever reached us. Writes act on that state as Freshchat does: `PUT
 * /conversations/{id}` changes the fields sent (a `status` that opens a resolved conversation reopens it), `POST
 * /conversations/{id}/messages` adds the message; `answerLate` stores a request's effect but answers after a delay.
 */
export class FakeFreshchat {
  readonly requests: RecordedRequest[] = [];
  readonly users = new Map<string, unknown>();
  readonly conversations = new Map<string, unknown>();
  /** Every message of a conversation, in the order learned (served newest first). */
  readonly messages = new Map<string, Json[]>();
  readonly userConversations = new Map<string, string[]>();
  /** Agents by id, as GET /agents lists them (paged) and GET /agents/{id} answers. */
  readonly agents = new Map<string, Json>();
  /** Messages per page unless the request asks for fewer. */
  pageSize = 50;
  /** Serve messages in a scrambled order (not newest first), so pages overlap in time. */
  scrambleMessages = false;
  /** Every request answers 503 while set. */
  down = false;
  /** Every request answers a failure while set (see `misbehave`); the answers given so far, by kind. */
  private storm?: { retryAfterSeconds: number; garbageFor: (path: string) => boolean; turns: Map<string, number> };
  readonly stormAnswers = { rateLimited: 0, serverError: 0, garbage: 0, userReads: 0, conversationReads: 0 };
  /** When each conversation's assignment and state (resolved / reopened) last changed: only later changes apply. */
  private readonly changedAt = new Map<string, { assignment: number; state: number }>();
  private readonly failures: Reply[] = [];
  private readonly lateAnswers: Array<{ matching: (request: RecordedRequest) => boolean; delayMs: number }> = [];
  private readonly routes: Route[] = [];
  private server?: Server;
  url = '';

  failNext(...replies: Reply[]): void {
    this.failures.push(...replies);
  }

  /** The next `count` requests answer 429 with this Retry-After (seconds). */
  rateLimit(count: number, retryAfterSeconds: number): void {
    const reply = {
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds) },
      body: { code: 429, status: 'TOO_MANY_REQUESTS', message: 'rate limited' },
    };
    this.failNext(...Array.from({ length: count }, () => reply));
  }

  /**
   * From now until `recover()`, requests (of each resource in turn) answer 429 (with this Retry-After), 500, 503 and a 200 that is not
   * JSON (where `garbageFor` allows it; a 502 elsewhere).
   */
  misbehave(retryAfterSeconds: number, garbageFor: (path: string) => boolean = () => true): void {
    this.storm = { retryAfterSeconds, garbageFor, turns: new Map() };
  }

  recover(): void {
    this.storm = undefined;
  }

  /** Freshchat's side of a real-format webhook (parsed body). */
  learn(body: Json, conversationProperties: Json = {}): void {
    const time: string = body.action_time;
    const data = body.data ?? {};
    const ref =
      data.message ?? data.assignment?.conversation ?? data.resolve?.conversation ?? data.reopen?.conversation;
    const conversationId: string = ref.conversation_id;
    const conversation = (this.conversations.get(conversationId) as Json | undefined) ?? {
      conversation_id: conversationId,
      status: 'new',
      properties: {},
      created_time: time,
      updated_time: time,
    };
    conversation.properties = { ...conversation.properties, ...conversationProperties };
    this.conversations.set(conversationId, conversation);
    const list = this.messages.get(conversationId) ?? [];
    this.messages.set(conversationId, list);
    const at = Date.parse(time);
    const changed = this.changedAt.get(conversationId) ?? { assignment: 0, state: 0 };
    this.changedAt.set(conversationId, changed);
    const marker = (kind: 'isResolved' | 'isReopen') =>
      list.push({
        id: `${kind}-${conversationId}-${time}`,
        conversation_id: conversationId,
        actor_type: body.actor?.actor_type ?? 'system',
        actor_id: body.actor?.actor_id ?? null,
        message_type: 'system',
        created_time: time,
        message_parts: [
          { text: { content: kind === 'isResolved' ? 'Conversation resolved' : 'Conversation reopened' } },
        ],
        meta_data: { [kind]: true },
      });
    if (data.message) {
      if (!list.some((m) => m.id === data.message.id)) list.push(data.message);
      const userId: string | undefined = data.message.user_id;
      if (userId) {
        conversation.user_id = userId;
        const known = this.userConversations.get(userId) ?? [];
        if (!known.includes(conversationId)) this.userConversations.set(userId, [...known, conversationId]);
      }
    } else if (data.assignment && at >= changed.assignment) {
      changed.assignment = at;
      conversation.assigned_agent_id = data.assignment.to_agent_id || null;
      conversation.assigned_group_id = data.assignment.to_group_id || null;
      if (conversation.status !== 'resolved') conversation.status = 'assigned';
    } else if (data.resolve || data.reopen) {
      marker(data.resolve ? 'isResolved' : 'isReopen');
      if (at >= changed.state) {
        changed.state = at;
        conversation.status = data.resolve ? 'resolved' : 'reopened';
      }
    }
    if (at >= Date.parse(conversation.updated_time)) conversation.updated_time = time;
  }

  /** The next request `matching` takes effect at once but is answered only after `delayMs` (its client times out). */
  answerLate(matching: (request: RecordedRequest) => boolean, delayMs: number): void {
    this.lateAnswers.push({ matching, delayMs });
  }

  /** A conversation Freshchat knows, with no messages yet (fields as `GET /conversations/{id}` answers them). */
  know(conversationId: string, fields: Json = {}): Json {
    const now = new Date().toISOString();
    const conversation = {
      conversation_id: conversationId,
      status: 'new',
      created_time: now,
      updated_time: now,
      ...fields,
    };
    this.conversations.set(conversationId, conversation);
    if (!this.messages.has(conversationId)) this.messages.set(conversationId, []);
    return conversation;
  }

  /** The conversation as `GET /conversations/{id}` would answer it now. */
  conversation(conversationId: string): Json | undefined {
    return this.conversations.get(conversationId) as Json | undefined;
  }

  route(route: Route): void {
    this.routes.push(route);
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const at = Date.now();
      const recorded: RecordedRequest = {
        at,
        method: req.method ?? 'GET',
        path: (req.url ?? '/').replace(/^\/v2/, ''),
        authorization: req.headers.authorization,
        body: await readJson(req),
      };
      this.requests.push(recorded);
      const reply = this.failures.shift() ?? this.answer(recorded);
      const late = this.lateAnswers.findIndex((l) => l.matching(recorded));
      if (late >= 0) await new Promise((resolve) => setTimeout(resolve, this.lateAnswers.splice(late, 1)[0]!.delayMs));
      if (res.destroyed) return;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v2`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** `PUT /conversations/{id}`: the fields sent change; a status that opens a resolved conversation reopens it. */
  private update(conversationId: string, body: Json): Json {
    const conversation = this.conversation(conversationId)!;
    const now = new Date().toISOString();
    for (const field of ['assigned_agent_id', 'assigned_group_id', 'properties'] as const)
      if (body[field] !== undefined) conversation[field] = body[field];
    if (typeof body.status === 'string' && body.status !== conversation.status) {
      if (conversation.status === 'resolved' || body.status === 'resolved') {
        const kind = body.status === 'resolved' ? 'isResolved' : 'isReopen';
        this.messages.get(conversationId)!.push({
          id: `${kind}-${conversationId}-${now}`,
          conversation_id: conversationId,
          actor_type: 'agent',
          message_type: 'system',
          created_time: now,
          message_parts: [
            { text: { content: kind === 'isResolved' ? 'Conversation resolved' : 'Conversation reopened' } },
          ],
          meta_data: { [kind]: true },
        });
      }
      conversation.status = body.status;
    }
    conversation.updated_time = now;
    return conversation;
  }

  /** `POST /conversations/{id}/messages`: the message is added (a new id, Freshchat's time) and answered. */
  private post(conversationId: string, body: Json): Json {
    const now = new Date().toISOString();
    const message = { ...body, id: randomUUID(), conversation_id: conversationId, created_time: now };
    this.messages.get(conversationId)!.push(message);
    this.conversation(conversationId)!.updated_time = now;
    return message;
  }

  private stormAnswer(storm: NonNullable<FakeFreshchat['storm']>, path: string): Reply {
    // Each kind of request (users, conversations, …) takes its own turns, so each sees every failure.
    const resource = path.split('/')[1] ?? '';
    const turn = storm.turns.get(resource) ?? 0;
    storm.turns.set(resource, turn + 1);
    const kind = turn % 4;
    if (path.startsWith('/users/')) this.stormAnswers.userReads++;
    if (path.startsWith('/conversations/')) this.stormAnswers.conversationReads++;
    if (kind === 0) {
      this.stormAnswers.rateLimited++;
      return {
        status: 429,
        headers: { 'retry-after': String(storm.retryAfterSeconds) },
        body: { code: 429, status: 'TOO_MANY_REQUESTS', message: 'rate limited' },
      };
    }
    if (kind === 3 && storm.garbageFor(path)) {
      this.stormAnswers.garbage++;
      return { status: 200, raw: '<html><body>Freshchat is under maintenance</body></html>' };
    }
    this.stormAnswers.serverError++;
    const status = kind === 1 ? 500 : kind === 2 ? 503 : 502;
    return { status, body: { code: status, status: 'SERVER_ERROR', message: 'failing' } };
  }

  private answer(request: RecordedRequest): Reply {
    if (this.down) return { status: 503, body: { code: 503, status: 'SERVICE_UNAVAILABLE', message: 'down' } };
    if (this.storm) return this.stormAnswer(this.storm, request.path);
    for (const route of this.routes) {
      const reply = route(request);
      if (reply) return reply;
    }
    const [pathname, query] = request.path.split('?') as [string, string | undefined];
    const [, kind, id, sub] = pathname.split('/').map(decodeURIComponent);
    const reference = new URLSearchParams(query ?? '').get('reference_id');
    if (request.method === 'GET' && kind === 'users' && !id && reference !== null) {
      const users = [...this.users.values()].filter((u) => (u as { reference_id?: string }).reference_id === reference);
      return { status: 200, body: { users } };
    }
    if (request.method === 'GET' && kind === 'agents' && !id) {
      const params = new URLSearchParams(query ?? '');
      const size = Math.min(this.pageSize, Number(params.get('items_per_page') ?? this.pageSize));
      const page = Math.max(1, Number(params.get('page') ?? 1));
      const all = [...this.agents.values()];
      const agents = all.slice((page - 1) * size, page * size);
      const pagination = { total_items: all.length, total_pages: Math.max(1, Math.ceil(all.length / size)) };
      return { status: 200, body: { agents, pagination } };
    }
    if (request.method === 'GET' && sub) return pageOf(this, kind, id!, sub, new URLSearchParams(query));
    const stores: Record<string, Map<string, unknown>> = {
      users: this.users,
      conversations: this.conversations,
      agents: this.agents,
    };
    const store = kind === undefined ? undefined : stores[kind];
    if (request.method === 'GET' && store && id && store.has(id)) return { status: 200, body: store.get(id) };
    if (request.method === 'PUT' && kind === 'users') return { status: 200, body: request.body };
    if (kind === 'conversations' && id && this.conversations.has(id)) {
      if (request.method === 'PUT' && !sub) return { status: 200, body: this.update(id, request.body as Json) };
      if (request.method === 'POST' && sub === 'messages')
        return { status: 200, body: this.post(id, request.body as Json) };
    }
    return { status: 404, body: { code: 404, status: 'NOT_FOUND', message: 'not found' } };
  }
}

/** Freshchat's paged lists: a conversation's messages (`link.href` to the next page), a user's conversations. */
function pageOf(fake: FakeFreshchat, kind: string | undefined, id: string, sub: string, query: URLSearchParams): Reply {
  const page = Math.max(1, Number(query.get('page') ?? 1));
  const size = Math.min(fake.pageSize, Number(query.get('items_per_page') ?? fake.pageSize));
  const notFound = { status: 404, body: { code: 404, status: 'NOT_FOUND', message: 'not found' } };
  if (kind === 'conversations' && sub === 'messages') {
    const all = fake.messages.get(id);
    if (!all) return notFound;
    const ordered = fake.scrambleMessages ? scramble(all) : [...all].sort(newestFirst);
    const messages = ordered.slice((page - 1) * size, page * size);
    const more = page * size < ordered.length;
    const href = `/v2/conversations/${encodeURIComponent(id)}/messages?page=${page + 1}&items_per_page=${size}`;
    return { status: 200, body: more ? { messages, link: { rel: 'next_page', href } } : { messages } };
  }
  if (kind === 'users' && sub === 'conversations') {
    const all = fake.userConversations.get(id);
    if (!all) return notFound;
    const conversations = all.slice((page - 1) * size, page * size).map((c) => ({ id: c }));
    return {
      status: 200,
      body: { conversations, pagination: { total_items: all.length, total_pages: Math.ceil(all.length / size) } },
    };
  }
  return notFound;
}

const newestFirst = (a: Json, b: Json) => Date.parse(b.created_time) - Date.parse(a.created_time);

/** A fixed shuffle (odd positions first, then even ones reversed): old and new messages on every page. */
const scramble = (messages: Json[]): Json[] => {
  const sorted = [...messages].sort(newestFirst);
  return [...sorted.filter((_, i) => i % 2 === 1), ...sorted.filter((_, i) => i % 2 === 0).reverse()];
};

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
