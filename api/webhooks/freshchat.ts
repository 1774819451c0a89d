import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { KNOWN_ACTIONS, normaliseWebhook, PayloadError } from '../../domain/conversation/freshchat-payload';
import { logger } from '../../infra/logger';
import { HandoffRefused } from '../../gateways/handoff';
import type { ConversationGateway } from '../../gateways/conversation-gateway';
import { ApiError } from '../errors';
import { apiMetrics } from '../metrics';
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
  router.post('/webhooks/freshchat', countWebhooks, async (ctx) => {
    const raw = await readRawBody(ctx, deps.bodyLimit);
    if (!deps.verify(raw, ctx.get('x-freshchat-signature') || undefined)) {
      apiMetrics.signatureFailure('freshchat');
      throw new ApiError(401, 'invalid_signature', 'X-Freshchat-Signature is missing or does not match the body');
    }
    const body = parseJsonBody(raw);
    ctx.state.webhookAction = actionLabel(body);
    const normalised = normalise(body, raw);
    if (normalised.status === 'ignored') {
      logger.info({ action: normalised.action }, 'ignored webhook with unknown action');
      ctx.body = { status: 'ignored', action: normalised.action };
      return;
    }
    const { event } = normalised;
    const workflowId = await deps.conversations.deliver(event).catch(refusedAs503);
    ctx.body = {
      status: 'accepted',
      conversation_id: event.conversationId,
      workflow_id: workflowId,
      event_key: event.eventKey,
    };
  });
  return router;
}

function refusedAs503(error: unknown): never {
  if (error instanceof HandoffRefused) throw new ApiError(503, 'temporal_unavailable', error.message);
  throw error;
}

function normalise(body: unknown, raw: Buffer) {
  try {
    return normaliseWebhook(body, raw, new Date().toISOString());
  } catch (error) {
    if (error instanceof PayloadError) throw new ApiError(400, 'invalid_payload', error.message, error.field);
    throw error;
  }
}

/** Counts each webhook by its action (once read) and its result: accepted, ignored, or the error code answered. */
async function countWebhooks(ctx: Context, next: Next): Promise<void> {
  let result = 'accepted';
  try {
    await next();
    if ((ctx.body as { status?: string } | undefined)?.status === 'ignored') result = 'ignored';
  } catch (error) {
    result = error instanceof ApiError ? error.code : 'internal_error';
    throw error;
  } finally {
    apiMetrics.webhook(String(ctx.state.webhookAction ?? 'unread'), result);
  }
}

/** The action as a metric label: known actions by name, any other as `other` (labels must stay few). */
function actionLabel(body: unknown): string {
  const action = (body as { action?: unknown } | null)?.action;
  return typeof action === 'string' && (KNOWN_ACTIONS as readonly string[]).includes(action) ? action : 'other';
}
