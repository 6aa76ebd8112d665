/**
 * A small IAM policy evaluator for tests: enough of the AWS semantics to check our own
 * policies, not a general one. Rules implemented:
 * - A request is allowed when some Allow statement matches and no Deny statement matches.
 * - Action and Resource match with `*` (any run of characters) and `?` (one character),
 *   actions case-insensitively.
 * - Every condition operator in a statement must hold; within an operator every key must
 *   hold; a key holds when the request value matches any of the policy values.
 * - A single-valued key missing from the request fails the condition; a ForAllValues key
 *   missing from the request holds (AWS's semantics, which is why TagKeys guards need care).
 * Anything else (NotAction, NotResource, Principal, unknown operators) throws, so a policy
 * using it cannot pass silently.
 */
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
export interface Policy {
  Version: string;
  Statement: Statement[];
}

/** One authorization check: the action, the resource ARN AWS authorizes it against, the request context. */
export interface AuthRequest {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const rx = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${rx}$`, ignoreCase ? 'i' : '').test(value);
}

const OPERATORS: Record<string, (policy: string, actual: string) => boolean> = {
  StringEquals: (p, a) => p === a,
  StringLike: (p, a) => globMatch(p, a),
  ArnEquals: (p, a) => p === a,
  ArnLike: (p, a) => globMatch(p, a),
  Bool: (p, a) => p.toLowerCase() === a.toLowerCase(),
};

function conditionHolds(operator: string, key: string, policyValues: string[], context: Record<string, string | string[]>): boolean {
  const forAll = operator.startsWith('ForAllValues:');
  const base = forAll ? operator.slice('ForAllValues:'.length) : operator;
  const test = OPERATORS[base];
  if (!test) throw new Error(`iam-eval: unsupported condition operator ${operator}`);
  const actual = context[key];
  if (forAll) return actual === undefined || list(actual).every((a) => policyValues.some((p) => test(p, a)));
  if (actual === undefined || Array.isArray(actual)) return false;
  return policyValues.some((p) => test(p, actual));
}

export function statementMatches(s: Statement, req: AuthRequest): boolean {
  for (const k of Object.keys(s)) {
    if (!['Sid', 'Effect', 'Action', 'Resource', 'Condition'].includes(k)) throw new Error(`iam-eval: unsupported statement element ${k}`);
  }
  if (!list(s.Action).some((a) => globMatch(a, req.action, true))) return false;
  if (!list(s.Resource).some((r) => globMatch(r, req.resource))) return false;
  const context = req.context ?? {};
  return Object.entries(s.Condition ?? {}).every(([op, keys]) => Object.entries(keys).every(([key, values]) => conditionHolds(op, key, list(values), context)));
}

export function isAllowed(policy: Policy, req: AuthRequest): boolean {
  if (policy.Statement.some((s) => s.Effect === 'Deny' && statementMatches(s, req))) return false;
  return policy.Statement.some((s) => s.Effect === 'Allow' && statementMatches(s, req));
}

/** Replaces `${NAME}` placeholders; throws on one without a value, so no placeholder goes unnoticed. */
export function renderPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for placeholder \${${name}}`);
    return v;
  });
}
