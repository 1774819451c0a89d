import Router from '@koa/router';
import type { DatabasePool } from 'slonik';
import { recordOrder } from '../stores/order-store';
import { orderReportSchema, type OrderReport } from '../domain/reports/order';
import { ApiError } from './errors';
import { apiMetrics } from './metrics';
import { parseJsonBody, readRawBody } from './raw-body';
import { storableDeep } from '../domain/conversation/record-values';
import { hmacSignatureValid } from './webhooks/signature';

export interface OrdersApiDeps {
  pool: DatabasePool;
  secret?: string;
  assistedWindowMs: number;
  /** Bytes. */
  bodyLimit: number;
}

/**
 * POST /api/v1/orders: the ordering system reports an order placed, modified or cancelled. Authenticated by a hex
 * HMAC-SHA256 of the raw body with ORDERS_WEBHOOK_SECRET (X-Orders-Signature); idempotent by (order id, event).
 */
export function ordersRouter(deps: OrdersApiDeps): Router {
  const router = new Router();
  router.post('/api/v1/orders', async (ctx) => {
    if (!deps.secret)
      throw new ApiError(
        401,
        'orders_feed_disabled',
        'the orders feed is not configured: ORDERS_WEBHOOK_SECRET is not set',
      );
    const raw = await readRawBody(ctx, deps.bodyLimit);
    const signature = ctx.get('x-orders-signature');
    if (!signature || !hmacSignatureValid(raw, signature, deps.secret)) {
      apiMetrics.signatureFailure('orders');
      throw new ApiError(401, 'invalid_signature', 'X-Orders-Signature is missing or does not match the body');
    }
    const recorded = await recordOrder(deps.pool, validOrder(storableDeep(parseJsonBody(raw))), deps.assistedWindowMs);
    ctx.status = recorded.duplicate ? 200 : 201;
    ctx.body = {
      status: recorded.duplicate ? 'duplicate' : 'recorded',
      duplicate: recorded.duplicate,
      order_id: recorded.orderId,
      event: recorded.event,
      assisted: recorded.assisted,
      assists: recorded.assists.map((a) => ({ incidence_id: a.incidenceId, reason: a.reason })),
    };
  });
  return router;
}

function validOrder(body: unknown): OrderReport {
  const parsed = orderReportSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : 'body');
  throw new ApiError(400, 'invalid_order', `${field}: ${issue.message}`, field);
}
