import type { RoleRules } from '../../infra/settings';
/** Someone signed in to the pages: a support manager or an engineer. */
export type Role = 'viewer' | 'admin';

export interface Person {
  email: string;
  name: string | null;
  role: Role;
}

const RANK: Record<Role, number> = { viewer: 1, admin: 2 };

/** An admin may do everything a viewer may. */
export const hasRole = (person: Person, needed: Role): boolean => RANK[person.role] >= RANK[needed];

const matches = (rule: RoleRules['admin'], email: string, groups: string[]): boolean => {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return rule.emails.includes(email) || rule.domains.includes(domain) || groups.some((g) => rule.groups.includes(g));
};

/** The highest role the rules grant this address and these groups; none: the person may not sign in. */
export function roleFor(rules: RoleRules, email: string, groups: string[]): Role | undefined {
  const address = email.trim().toLowerCase();
  if (matches(rules.admin, address, groups)) return 'admin';
  if (matches(rules.viewer, address, groups)) return 'viewer';
  return undefined;
}

/** The group claim as a list, whether the provider sends an array or one string. */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === 'string');
  if (typeof claim === 'string' && claim !== '') return [claim];
  return [];
}
