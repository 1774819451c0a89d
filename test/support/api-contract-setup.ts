import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { contractViolations } from './api-contract';

/**
 * Every answer a test receives from an API of this project is checked against the OpenAPI document
 * (test/support/api-contract.ts); a test that received one that breaks the contract fails. The API's origins are
 * the ports Koa apps listen on, and any answer carrying X-Request-Id (which only the API sends).
 */

const apiOrigins = new Set<string>();
export const registerApiOrigin = (port: number) => {
  apiOrigins.add(`http://127.0.0.1:${port}`);
  apiOrigins.add(`http://localhost:${port}`);
};

const listen = Koa.prototype.listen;
Koa.prototype.listen = function (this: Koa, ...args: unknown[]) {
  const server = (listen as (...a: unknown[]) => Server).apply(this, args);
  server.once('listening', () => registerApiOrigin((server.address() as AddressInfo).port));
  return server;
} as typeof Koa.prototype.listen;

const violations: string[] = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async function checkedFetch(input: string | URL | Request, init?: RequestInit) {
  const response = await realFetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (apiOrigins.has(url.origin) || response.headers.has('x-request-id')) {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toLowerCase();
    violations.push(...(await contractViolations(method, url, response)));
  }
  return response;
} as typeof fetch;

const failOnViolations = () => {
  const found = [...new Set(violations.splice(0))];
  if (found.length) throw new Error(`answers that break the OpenAPI document:\n${found.join('\n')}`);
};
afterEach(failOnViolations);
afterAll(failOnViolations);
