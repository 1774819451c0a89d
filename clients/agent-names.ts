/**
 * Agent names for every place an agent id appears (pages, report, export), read from Freshchat's agents list and
 * cached in Redis. An id Freshchat does not list (or any id while Freshchat cannot be reached) shows as itself.
 */
import type { Redis } from 'ioredis';
import type { FreshchatAgent, FreshchatClient } from './freshchat-client';
import type { RedisKeys } from '../infra/redis-keys';
import type { Settings } from '../infra/settings';
import { logger } from '../infra/logger';

export interface AgentNames {
  /** The names known for these ids (ids without a name are absent). */
  namesOf(ids: Iterable<string | null | undefined>): Promise<Map<string, string>>;
  /** Every name known (for the agent filter and the export). */
  all(): Promise<Map<string, string>>;
}

/** At most one read of Freshchat's agents list this often, however many unknown ids are asked for. */
export const AGENT_LIST_RETRY_SECONDS = 60;

/** The most agent list pages one refresh reads (AGENTS_PER_PAGE each). */
const MAX_PAGES = 50;

export const agentName = (a: FreshchatAgent): string | null => {
  const name = [a.first_name, a.last_name].filter((p) => typeof p === 'string' && p.trim() !== '').join(' ');
  return name || a.email || null;
};

/** The agent names of an API or worker process, as the settings say. */
export const agentNamesFor = (
  settings: Pick<Settings, 'pages'>,
  redis: Redis,
  keys: Pick<RedisKeys, 'agentNames' | 'agentNamesRead'>,
  freshchat: Pick<FreshchatClient, 'configured' | 'listAgents'>,
): AgentNames =>
  createAgentNames({
    redis,
    keys,
    freshchat,
    ttlSeconds: Math.max(1, Math.round(settings.pages.agentNamesTtlMs / 1000)),
    retrySeconds: AGENT_LIST_RETRY_SECONDS,
  });

export function createAgentNames(deps: {
  redis: Redis;
  keys: Pick<RedisKeys, 'agentNames' | 'agentNamesRead'>;
  freshchat: Pick<FreshchatClient, 'configured' | 'listAgents'>;
  /** How long names are kept before the list is read again. */
  ttlSeconds: number;
  /** At most one read of the list this often, however many unknown ids are asked for. */
  retrySeconds: number;
}): AgentNames {
  const { redis, keys, freshchat } = deps;

  async function refresh(): Promise<void> {
    const names: Record<string, string> = {};
    for (let page = 1; page <= MAX_PAGES; page++) {
      const answer = await freshchat.listAgents(page);
      if (!answer) break;
      for (const agent of answer.agents) {
        const name = agentName(agent);
        if (name) names[agent.id] = name;
      }
      if (page >= answer.totalPages) break;
    }
    if (Object.keys(names).length === 0) return;
    await redis
      .multi()
      .del(keys.agentNames)
      .hset(keys.agentNames, names)
      .expire(keys.agentNames, deps.ttlSeconds)
      .exec();
  }

  async function read(ids: string[]): Promise<Array<string | null>> {
    return ids.length ? redis.hmget(keys.agentNames, ...ids) : [];
  }

  /** Reads Freshchat's list when `needed` and no read happened within retrySeconds; false when it did not read. */
  async function refreshIfDue(needed: boolean): Promise<boolean> {
    if (!needed || !freshchat.configured) return false;
    const turn = await redis.set(keys.agentNamesRead, '1', 'EX', deps.retrySeconds, 'NX');
    if (turn !== 'OK') return false;
    try {
      await refresh();
      return true;
    } catch (error) {
      logger.warn({ err: error }, 'Freshchat agents could not be read: agents show as their ids');
      return false;
    }
  }

  return {
    async all() {
      let names = await redis.hgetall(keys.agentNames);
      if (await refreshIfDue(Object.keys(names).length === 0)) names = await redis.hgetall(keys.agentNames);
      return new Map(Object.entries(names));
    },
    async namesOf(given) {
      const ids = [...new Set([...given].filter((id): id is string => typeof id === 'string' && id !== ''))];
      let names = await read(ids);
      if (await refreshIfDue(names.some((n) => n === null))) names = await read(ids);
      return new Map(ids.flatMap((id, i) => (names[i] ? [[id, names[i]!] as [string, string]] : [])));
    },
  };
}
