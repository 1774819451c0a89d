import Router from '@koa/router';
import { normaliseWebhook, PayloadError } from '../../domain/freshchat-payload';
import { logger } from '../../infra/logger';
import type { ConversationGateway } from '../conversation-gateway';
import { ApiError } from '../errors';
import { parseJsonBody, readRawBody } from '../raw-body';
import type { WebhookVerifier } from './signature';

export interface FreshchatWebhookDeps {
  verify: WebhookVerifier;
  conversations: ConversationGateway;
  /** Bytes. */
  bodyLimit: number;
}

/** POST /webhooks/freshchat: verify the raw bytes, normalise, hand to the conversation workflow, then 200. */
export function freshchatWebhookRouter(deps: FreshchatWebhookDeps): Router {
  const router = new Router();
  router.post('/webhooks/freshchat', async (ctx) => {
    const raw = await readRawBody(ctx, deps.bodyLimit);
    if (!deps.verify(raw, ctx.get('x-freshchat-signature') || undefined)) {
      throw new ApiError(401, 'invalid_signature', 'X-Freshchat-Signature is missing or does not match the body');
    }
    const normalised = normalise(parseJsonBody(raw), raw);
    if (normalised.status === 'ignored') {
      logger.info({ action: normalised.action }, 'ignored webhook with unknown action');
      ctx.body = { status: 'ignored', action: normalised.action };
      return;
    }
    const { event } = normalised;
    const workflowId = await deps.conversations.deliver(event);
    ctx.body = {
      status: 'accepted',
      conversation_id: event.conversationId,
      workflow_id: workflowId,
      event_key: event.eventKey,
    };
  });
  return router;
}

function normalise(body: unknown, raw: Buffer) {
  try {
    return normaliseWebhook(body, raw, new Date().toISOString());
  } catch (error) {
    if (error instanceof PayloadError) throw new ApiError(400, 'invalid_payload', error.message, error.field);
    throw error;
  }
}
