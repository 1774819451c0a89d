import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../api/openapi';

/**
 * Checks an answer of the API against the served OpenAPI document: its status is documented for the operation, the
 * headers the document requires are there and well-formed, and the body has a documented media type and, when JSON,
 * passes the operation's schema. Pages (HTML) are for people, not the JSON contract: only their status is checked,
 * and those outside the document not at all.
 */

type Json = Record<string, any>;
interface Operation {
  path: string;
  method: string;
  pattern: RegExp;
  responses: Record<string, Json>;
}

const DOC_ID = 'https://support-led-ordering.invalid/openapi.json';
let ajv: Ajv2020 | undefined;
let operations: Operation[] | undefined;
const validators = new Map<string, ValidateFunction>();

function setUp() {
  if (ajv && operations) return { ajv, operations };
  const doc = openApiDocument() as unknown as Json;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  operations = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      path,
      method,
      pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      responses: (op as Json).responses,
    })),
  );
  return { ajv, operations };
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function validatorFor(ref: string): ValidateFunction {
  let validate = validators.get(ref);
  if (!validate) {
    validate = setUp().ajv.compile({ $ref: `${DOC_ID}#/${ref}` });
    validators.set(ref, validate);
  }
  return validate;
}

function schemaErrors(ref: string, value: unknown): string[] {
  const validate = validatorFor(ref);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}`);
}

const HEADER_SCHEMA_TYPES: Record<string, (v: string) => unknown> = { integer: Number, number: Number };

/** Problems with one answer; empty when it keeps the contract. */
export async function contractViolations(method: string, url: URL, response: Response): Promise<string[]> {
  // CORS preflights (the codec server's) are the browser's protocol, not the API's operations.
  if (method === 'options') return [];
  const { operations } = setUp();
  const what = `${method.toUpperCase()} ${url.pathname} → ${response.status}`;
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const op = operations.find((o) => o.method === method && o.pattern.test(url.pathname));
  if (!op) {
    if (mediaType === 'text/html') return [];
    if (response.status === 404 || response.status === 405)
      return bodyViolations(what, response, 'components/schemas/ErrorBody');
    return [`${what}: no operation in the OpenAPI document`];
  }
  const documented = op.responses[String(response.status)] ?? op.responses.default;
  if (!documented) return [`${what}: status not documented (documented: ${Object.keys(op.responses).join(', ')})`];
  const problems: string[] = [];
  for (const [name, header] of Object.entries((documented.headers ?? {}) as Record<string, Json>)) {
    const value = response.headers.get(name);
    if (value === null) {
      if (header.required) problems.push(`${what}: header ${name} missing`);
      continue;
    }
    const asType = HEADER_SCHEMA_TYPES[header.schema?.type as string] ?? String;
    const base = pointer('paths', op.path, op.method, 'responses', String(response.status), 'headers', name, 'schema');
    for (const e of schemaErrors(base, asType(value))) problems.push(`${what}: header ${name}=${value}: ${e}`);
  }
  const content = (documented.content ?? {}) as Record<string, Json>;
  const hasBody = response.status !== 204 && response.headers.get('content-length') !== '0' && mediaType !== '';
  // A redirect's body is the framework's courtesy text; pages are for people, not the JSON contract.
  const redirect = response.status >= 300 && response.status < 400;
  if (!hasBody || method === 'head' || redirect || mediaType === 'text/html') return problems;
  if (!content[mediaType])
    return [
      ...problems,
      `${what}: body of type ${mediaType} not documented (${Object.keys(content).join(', ') || 'none'})`,
    ];
  if (mediaType !== 'application/json') return problems;
  const ref = pointer(
    'paths',
    op.path,
    op.method,
    'responses',
    String(response.status),
    'content',
    mediaType,
    'schema',
  );
  return [...problems, ...(await bodyViolations(what, response, ref))];
}

async function bodyViolations(what: string, response: Response, ref: string): Promise<string[]> {
  const text = await response.clone().text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [`${what}: body is not JSON: ${text.slice(0, 80)}`];
  }
  return schemaErrors(ref, body).map((e) => `${what}: ${e}`);
}
