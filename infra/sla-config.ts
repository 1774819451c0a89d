import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ZodType } from 'zod';
import { businessHoursFile, type BusinessHours } from '../domain/sla/business-hours';
import { slaPolicyFile, type SlaPolicies } from '../domain/sla/sla-policy';
import { ConfigError } from './config';

export interface SlaConfig {
  policies: SlaPolicies;
  hours: BusinessHours;
}

/** Reads and validates SLA_POLICY_FILE and BUSINESS_HOURS_FILE (paths relative to the working directory). */
export function loadSlaConfig(files: { policyFile: string; businessHoursFile: string }): SlaConfig {
  const problems: string[] = [];
  const policies = readJson('SLA_POLICY_FILE', files.policyFile, slaPolicyFile, problems);
  const hours = readJson('BUSINESS_HOURS_FILE', files.businessHoursFile, businessHoursFile, problems);
  if (problems.length > 0 || !policies || !hours) throw new ConfigError(problems);
  return { policies, hours };
}

function readJson<T>(name: string, file: string, schema: ZodType<T, unknown>, problems: string[]): T | undefined {
  const where = `${name} (${path.resolve(file)})`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path.resolve(file), 'utf8'));
  } catch (error) {
    problems.push(`${where}: ${(error as Error).message}`);
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  problems.push(...parsed.error.issues.map((i) => `${where}: ${i.path.join('.') || '(file)'}: ${i.message}`));
  return undefined;
}
