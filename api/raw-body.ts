import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { ApiError } from './errors';

/** The exact request bytes (signatures are computed over them), refused with 413 past `limit`. */
export async function readRawBody(ctx: Context, limit: string | number): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, { limit, length: ctx.get('content-length') || undefined });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') throw new ApiError(413, 'body_too_large', `request body is larger than ${limit}`);
    if (type === 'request.aborted') throw new ApiError(400, 'request_aborted', 'request body was cut short');
    throw new ApiError(400, 'unreadable_body', (error as Error).message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict JSON from raw bytes: invalid UTF-8 or JSON is a 400 that says which. */
export function parseJsonBody(raw: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new ApiError(400, 'invalid_utf8', 'request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'malformed_json', `request body is not valid JSON: ${(error as Error).message}`);
  }
}
