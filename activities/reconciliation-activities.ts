import type { DatabasePool } from 'slonik';
import type { Logger } from 'pino';
import type { FreshchatClient } from '../clients/freshchat-client';
import { freshchatRetries, FreshchatUnreachable } from '../clients/freshchat-retries';
import type { ConversationEvent } from '../domain/conversation-event';
import {
  addRepairs,
  countRepairs,
  noRepairs,
  reconcileConversation,
  type ConversationRecord,
  type RestMessage,
} from '../domain/reconciliation';
import {
  describePass,
  SWEEP_START,
  type BatchResult,
  type ReconciliationCursor,
  type RepairedConversation,
  type ReconciliationSummary,
  type ReconciliationTrigger,
} from '../domain/reconciliation-pass';
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

/** A runaway "next page" chain stops here (10,000 messages). */
const MAX_MESSAGE_PAGES = 200;
const MAX_CONVERSATION_PAGES = 50;

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
      const retries = freshchatRetries({ bucket, retryAfterCapMs });
      const totals = { checked: 0, discovered: 0, repaired: noRepairs(), rateLimited: 0, unreadable: 0 };
      const repairs: RepairedConversation[] = [];
      const window = { lookbackMs: input.lookbackMs, limit: input.batchSize };

      /** Reads one conversation whole, then delivers what the record lacks; the number of events repaired. */
      const reconcileOne = async (conversationId: string, record: ConversationRecord | null): Promise<number> => {
        const conversation = await retries.run(() => freshchat.getConversation(conversationId));
        if (!conversation) return 0; // Freshchat does not know it: nothing to compare with
        const messages: RestMessage[] = [];
        let next: string | undefined;
        const seen = new Set<string>();
        for (let page = 0; page < MAX_MESSAGE_PAGES; page++) {
          const answer = await retries.run(() => freshchat.listMessages(conversationId, next));
          if (!answer) break;
          messages.push(...answer.messages);
          if (!answer.next || seen.has(answer.next)) break;
          seen.add(answer.next);
          next = answer.next;
        }
        const found = reconcileConversation(
          { ...conversation, conversation_id: conversationId },
          messages,
          record,
          new Date().toISOString(),
        );
        for (const event of found.repairs) await deliver(event);
        const counts = countRepairs(found.repairs);
        totals.repaired = addRepairs(totals.repaired, counts);
        totals.unreadable += found.unreadable;
        totals.checked++;
        if (found.repairs.length > 0) {
          repairs.push({ conversationId, seen: record !== null, repaired: counts });
          deps.logger.info(
            { conversationId, repaired: counts, seen: record !== null },
            'reconciliation repaired a conversation',
          );
        }
        return found.repairs.length;
      };

      const userConversations = async (userId: string): Promise<string[]> => {
        const ids: string[] = [];
        for (let page = 1, pages = 1; page <= Math.min(pages, MAX_CONVERSATION_PAGES); page++) {
          const answer = await retries.run(() => freshchat.listUserConversations(userId, page));
          if (!answer) break;
          ids.push(...answer.conversationIds);
          pages = answer.totalPages;
        }
        return [...new Set(ids)];
      };

      let cursor: ReconciliationCursor = input.cursor;
      let next: ReconciliationCursor | null;
      let error: string | null = null;
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
            for (const id of ids.filter((id) => !known.has(id))) {
              if ((await reconcileOne(id, null)) > 0) totals.discovered++;
            }
            cursor = { phase: 'users', after: userId };
          }
          next = users.length < input.batchSize ? null : cursor;
        }
      } catch (failure) {
        if (!(failure instanceof FreshchatUnreachable)) throw failure;
        error = `Freshchat unreachable: ${failure.message}`;
        next = cursor;
      }
      totals.rateLimited = retries.counts.rateLimited;
      await store.recordBatch(deps.pool, {
        passId: input.passId,
        totals,
        cursor: next,
        moveSweepCursor: input.trigger === 'SCHEDULE',
      });
      return { cursor: next, error, repairs };
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
