import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { DatabasePool } from 'slonik';
import type { Logger } from 'pino';
import type { FreshchatClient } from '../clients/freshchat-client';
import { freshchatRetries, FreshchatUnreachable } from '../clients/freshchat-retries';
import type { ConversationEvent } from '../domain/conversation/conversation-event';
import {
  addRepairs,
  eventsOf,
  countRepairs,
  lastActivityOf,
  noRepairs,
  reconcileConversation,
  type ConversationRecord,
  type RestMessage,
} from '../domain/reconciliation/reconciliation';
import {
  describePass,
  SWEEP_START,
  type BatchResult,
  type ReconciliationCursor,
  type RepairedConversation,
  type ReconciliationSummary,
  type ReconciliationTrigger,
} from '../domain/reconciliation/reconciliation-pass';
import type { TokenBucket } from '../infra/token-bucket';
import * as store from '../stores/reconciliation-store';

export interface ReconciliationActivityDeps {
  pool: DatabasePool;
  logger: Logger;
  reconciliation?: {
    /** Freshchat's REST API, each request drawing on `bucket`. */
    freshchat: FreshchatClient;
    bucket: TokenBucket;
    retryAfterCapMs: number;
    /** Hands an event to its conversation workflow (the API's gateway: signalWithStart). */
    deliver(event: ConversationEvent): Promise<unknown>;
  };
}

/** How often a running batch tells Temporal it is alive (its heartbeat timeout is a few times this). */
export const BATCH_HEARTBEAT_MS = 10_000;
/** How long a batch waits for the conversation workflows to store what it delivered (what is stored by then counts). */
export const STORED_WAIT_MS = 60_000;
const STORED_POLL_MS = 200;

/** A runaway "next page" chain stops here (10,000 messages). */
const MAX_MESSAGE_PAGES = 200;
const MAX_CONVERSATION_PAGES = 50;

/**
 * The repairs delivered that the conversation workflows stored (their event keys are in the timeline), waited for up
 * to STORED_WAIT_MS: a repair refused or deduplicated is not counted, and neither is one still pending by then.
 */
async function storedRepairs(
  deps: ReconciliationActivityDeps,
  delivered: Array<{ conversationId: string; seen: boolean; events: ConversationEvent[] }>,
  step: () => void,
): Promise<RepairedConversation[]> {
  const keys = delivered.flatMap((d) => d.events.map((e) => e.eventKey));
  const ids = delivered.map((d) => d.conversationId);
  let stored = new Set<string>();
  for (const until = Date.now() + STORED_WAIT_MS; ;) {
    step();
    stored = await store.storedEventKeys(deps.pool, ids, keys);
    if (stored.size >= new Set(keys).size || Date.now() >= until) break;
    await new Promise((resolve) => setTimeout(resolve, STORED_POLL_MS));
  }
  return delivered
    .map((d) => ({
      conversationId: d.conversationId,
      seen: d.seen,
      events: d.events.filter((e) => stored.has(e.eventKey)),
    }))
    .filter((d) => d.events.length > 0)
    .map((d) => ({ conversationId: d.conversationId, seen: d.seen, repaired: countRepairs(d.events) }));
}

/** Activities of the reconciliation workflow: all reads of Freshchat and our record, and the repairs. */
export function createReconciliationActivities(deps: ReconciliationActivityDeps) {
  const setup = () => {
    if (!deps.reconciliation?.freshchat.configured) {
      throw new Error('reconciliation needs FRESHCHAT_API_URL and FRESHCHAT_API_TOKEN');
    }
    return deps.reconciliation;
  };

  return {
    async startReconciliationPass(input: {
      runId: string;
      trigger: ReconciliationTrigger;
      lookbackMs: number;
    }): Promise<{ passId: string; cursor: ReconciliationCursor; workload: number }> {
      const cursor = input.trigger === 'SCHEDULE' ? await store.loadCursor(deps.pool) : SWEEP_START;
      const passId = await store.startPass(deps.pool, {
        runId: input.runId,
        trigger: input.trigger,
        resumedFrom: cursor,
      });
      return { passId, cursor, workload: await store.workloadFrom(deps.pool, cursor, input.lookbackMs) };
    },

    /**
     * One batch of the sweep from `cursor`. Freshchat down (or rate limiting without end) ends the batch with
     * `error` and the cursor at the last conversation fully done: a conversation is only repaired from complete reads.
     */
    async reconcileBatch(input: {
      passId: string;
      trigger: ReconciliationTrigger;
      cursor: ReconciliationCursor;
      lookbackMs: number;
      batchSize: number;
    }): Promise<BatchResult> {
      const { freshchat, bucket, retryAfterCapMs, deliver } = setup();
      const activity = Context.current();
      let cursor: ReconciliationCursor = input.cursor;
      // Alive while it runs (a worker that died is noticed within the heartbeat timeout); a timed-out or cancelled
      // attempt learns it from the heartbeat's answer and stops at its next step, before recording anything.
      const beat = setInterval(() => activity.heartbeat(cursor), BATCH_HEARTBEAT_MS);
      const step = () => {
        activity.heartbeat(cursor);
        if (activity.cancellationSignal.aborted) throw new CancelledFailure('reconciliation batch cancelled');
      };
      const retries = freshchatRetries({ bucket, retryAfterCapMs });
      const read = <T>(request: () => Promise<T>) => {
        step();
        return retries.run(request);
      };
      const totals = { checked: 0, discovered: 0, repaired: noRepairs(), rateLimited: 0, unreadable: 0 };
      const delivered: Array<{ conversationId: string; seen: boolean; events: ConversationEvent[] }> = [];
      const window = { lookbackMs: input.lookbackMs, limit: input.batchSize };
      const discoverySince = Date.now() - input.lookbackMs;

      /**
       * Reads one conversation whole, then delivers what the record lacks. A conversation we never saw (`record` null)
       * is taken only when its latest activity falls within the look-back.
       */
      const reconcileOne = async (conversationId: string, record: ConversationRecord | null): Promise<void> => {
        const conversation = await read(() => freshchat.getConversation(conversationId));
        if (!conversation) return; // Freshchat does not know it: nothing to compare with
        const updated = conversation.updated_time ? Date.parse(conversation.updated_time) : NaN;
        if (record === null && updated < discoverySince) return; // older than the look-back: not read further
        const messages: RestMessage[] = [];
        let next: string | undefined;
        const seen = new Set<string>();
        for (let page = 0; page < MAX_MESSAGE_PAGES; page++) {
          const answer = await read(() => freshchat.listMessages(conversationId, next));
          if (!answer) break;
          messages.push(...answer.messages);
          if (!answer.next || seen.has(answer.next)) break;
          seen.add(answer.next);
          next = answer.next;
        }
        if (record === null && (lastActivityOf(conversation, messages) ?? -Infinity) < discoverySince) return;
        const found = reconcileConversation(
          { ...conversation, conversation_id: conversationId },
          messages,
          record,
          new Date().toISOString(),
        );
        for (const event of found.repairs) {
          step();
          await deliver(event);
        }
        totals.unreadable += found.unreadable;
        totals.checked++;
        if (found.repairs.length > 0) delivered.push({ conversationId, seen: record !== null, events: found.repairs });
      };

      const userConversations = async (userId: string): Promise<string[]> => {
        const ids: string[] = [];
        for (let page = 1, pages = 1; page <= Math.min(pages, MAX_CONVERSATION_PAGES); page++) {
          const answer = await read(() => freshchat.listUserConversations(userId, page));
          if (!answer) break;
          ids.push(...answer.conversationIds);
          pages = answer.totalPages;
        }
        return [...new Set(ids)];
      };

      let next: ReconciliationCursor | null;
      let error: string | null = null;
      try {
        try {
          if (cursor.phase === 'conversations') {
            const ids = await store.conversationsToCheck(deps.pool, { after: cursor.after, ...window });
            const records = await store.recordsOf(deps.pool, ids);
            for (const id of ids) {
              await reconcileOne(id, records.get(id) ?? null);
              cursor = { phase: 'conversations', after: id };
            }
            next = ids.length < input.batchSize ? { phase: 'users', after: null } : cursor;
          } else {
            const users = await store.activeFreshchatUsers(deps.pool, { after: cursor.after, ...window });
            for (const userId of users) {
              const ids = await userConversations(userId);
              const known = await store.recordsOf(deps.pool, ids);
              for (const id of ids.filter((id) => !known.has(id))) await reconcileOne(id, null);
              cursor = { phase: 'users', after: userId };
            }
            next = users.length < input.batchSize ? null : cursor;
          }
        } catch (failure) {
          if (!(failure instanceof FreshchatUnreachable)) throw failure;
          error = `Freshchat unreachable: ${failure.message}`;
          next = cursor;
        }
        const repairs = await storedRepairs(deps, delivered, step);
        for (const r of repairs) totals.repaired = addRepairs(totals.repaired, r.repaired);
        totals.discovered = repairs.filter((r) => !r.seen).length;
        totals.rateLimited = retries.counts.rateLimited;
        step();
        const recorded = await store.recordBatch(deps.pool, {
          passId: input.passId,
          from: input.cursor,
          totals,
          repairs: repairs.map((r) => ({ conversationId: r.conversationId, events: eventsOf(r.repaired) })),
          cursor: next,
          moveSweepCursor: input.trigger === 'SCHEDULE',
        });
        if (!recorded)
          deps.logger.warn(
            { passId: input.passId, from: input.cursor },
            'reconciliation batch recorded by another attempt',
          );
        for (const r of repairs)
          deps.logger.info(
            { conversationId: r.conversationId, repaired: r.repaired, seen: r.seen },
            'reconciliation repaired a conversation',
          );
        return { cursor: next, error, repairs };
      } finally {
        clearInterval(beat);
      }
    },

    async finishReconciliationPass(input: { passId: string; error: string | null }): Promise<ReconciliationSummary> {
      const summary = await store.finishPass(deps.pool, input.passId, input.error);
      const log = summary.error ? deps.logger.warn.bind(deps.logger) : deps.logger.info.bind(deps.logger);
      log({ pass: summary }, `reconciliation pass: ${describePass(summary)}`);
      return summary;
    },
  };
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
