import type { Context } from 'koa';
import type { z } from 'zod';
import { storableDeep } from '../domain/conversation/record-values';
import { ApiError } from './errors';
import { parseJsonBody, readRawBody } from './raw-body';

/**
 * A JSON request body of the app API checked against `schema`, its text storable: 415 not JSON, 413 too large, 400
 * malformed or naming the first bad field.
 */
export async function jsonBody<S extends z.ZodTypeAny>(
  ctx: Context,
  schema: S,
  limit: string | number,
): Promise<z.output<S>> {
  const hasBody =
    ctx.request.length !== undefined && ctx.request.length > 0 ? true : Boolean(ctx.get('transfer-encoding'));
  if (!hasBody) throw new ApiError(400, 'missing_body', 'a JSON request body is required');
  if (!ctx.request.is('application/json'))
    throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
  // Text PostgreSQL would refuse (U+0000, lone surrogates) is dropped as it enters, before any rule sees it.
  const value = storableDeep(parseJsonBody(await readRawBody(ctx, limit)));
  return validate(schema, value);
}

export function validate<S extends z.ZodTypeAny>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || '(body)';
  throw new ApiError(400, 'invalid_request', `${field}: ${issue.message}`, field);
}
