/**
 * Writes app-client/api-types.ts, the app client's types, from the API's OpenAPI document (the zod schemas the API
 * validates and answers with), so the client package carries no server code. `--check` fails when the file is stale.
 *   npm run app-client:types [-- --check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { openApiDocument } from '../api/openapi';

const TARGET = path.join(__dirname, '..', 'app-client', 'api-types.ts');

export async function appClientTypes(): Promise<string> {
  const schemas = openApiDocument().components?.schemas ?? {};
  // Components refer to each other as #/components/schemas/X; json-schema-to-typescript reads #/definitions/X.
  const text = JSON.stringify(schemas).replaceAll('#/components/schemas/', '#/definitions/');
  const definitions = Object.fromEntries(
    Object.entries(JSON.parse(text) as Record<string, JSONSchema>).map(([name, s]) => [name, { ...s, title: name }]),
  );
  const root: JSONSchema = {
    title: 'AppApiSchemas',
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(Object.keys(definitions).map((name) => [name, { $ref: `#/definitions/${name}` }])),
    definitions,
  };
  const types = await compile(root, 'AppApiSchemas', {
    bannerComment:
      "// Generated from the API's OpenAPI document by scripts/app-client-types.ts (npm run app-client:types).\n// Do not edit: change the API's schemas and regenerate.",
    additionalProperties: false,
    strictIndexSignatures: true,
    style: { singleQuote: true, printWidth: 120 },
  });
  return types;
}

async function main(): Promise<void> {
  const fresh = await appClientTypes();
  if (process.argv.includes('--check')) {
    const current = readFileSync(TARGET, 'utf8');
    if (current !== fresh) {
      console.error('app-client/api-types.ts is stale: run npm run app-client:types');
      process.exit(1);
    }
    return;
  }
  writeFileSync(TARGET, fresh);
  console.log(`wrote ${path.relative(process.cwd(), TARGET)}`);
}

if (require.main === module) void main();
