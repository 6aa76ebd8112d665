/**
 * A small IAM policy evaluator for tests: enough of the AWS semantics to check our own
 * policies, not a general one. Rules implemented:
 * - A request is allowed when some Allow statement matches and no Deny statement matches.
 * - Action and Resource match with `*` (any run of characters) and `?` (one character),
 *   actions case-insensitively.
 * - Every condition operator in a statement must hold; within an operator every key must
 *   hold; a key holds when the request value matches any of the policy values (for the negated
 *   `StringNotEquals`: matches none of them).
 * - A single-valued key missing from the request fails the condition; a ForAllValues key
 *   missing from the request holds and a ForAnyValue key missing fails (AWS's semantics, which
 *   is why TagKeys guards need care). `Null: {key: "true"}` holds when the key is absent.
 * - Resource policies: `Principal` is `"*"` or `{AWS: arn | arn[]}`, matched against the
 *   request's `principal`; identity policies have none.
 * Anything else (NotAction, NotResource, NotPrincipal, unknown operators) throws, so a policy
 * using it cannot pass silently.
 */
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  /** Only in resource policies. */
  Principal?: '*' | { AWS: string | string[] };
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
  /** The calling role's ARN, for resource policies with a Principal. */
  principal?: string;
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const rx = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${rx}$`, ignoreCase ? 'i' : '').test(value);
}

const OPERATORS: Record<string, (policy: string, actual: string) => boolean> = {
  StringEquals: (p, a) => p === a,
  StringNotEquals: (p, a) => p === a,
  StringLike: (p, a) => globMatch(p, a),
  ArnEquals: (p, a) => p === a,
  ArnLike: (p, a) => globMatch(p, a),
  Bool: (p, a) => p.toLowerCase() === a.toLowerCase(),
};

/** Negated operators hold when the value matches none of the policy values. */
const NEGATED = new Set(['StringNotEquals']);

function conditionHolds(operator: string, key: string, policyValues: string[], context: Record<string, string | string[]>): boolean {
  const actual = context[key];
  if (operator === 'Null') {
    if (policyValues.length !== 1 || !['true', 'false'].includes(policyValues[0]!)) throw new Error(`iam-eval: Null takes "true" or "false", got ${policyValues.join(',')}`);
    return (actual === undefined) === (policyValues[0] === 'true');
  }
  const qualifier = operator.startsWith('ForAllValues:') ? 'all' : operator.startsWith('ForAnyValue:') ? 'any' : undefined;
  const base = qualifier ? operator.slice(operator.indexOf(':') + 1) : operator;
  const test = OPERATORS[base];
  if (!test) throw new Error(`iam-eval: unsupported condition operator ${operator}`);
  const one = (a: string): boolean => (NEGATED.has(base) ? !policyValues.some((p) => test(p, a)) : policyValues.some((p) => test(p, a)));
  if (qualifier === 'all') return actual === undefined || list(actual).every(one);
  if (qualifier === 'any') return actual !== undefined && list(actual).some(one);
  if (actual === undefined || Array.isArray(actual)) return false;
  return one(actual);
}

function principalMatches(s: Statement, req: AuthRequest): boolean {
  if (s.Principal === undefined || s.Principal === '*') return true;
  if (typeof s.Principal !== 'object' || Object.keys(s.Principal).join() !== 'AWS') throw new Error('iam-eval: only Principal "*" or {AWS: ...} is supported');
  return req.principal !== undefined && list(s.Principal.AWS).includes(req.principal);
}

export function statementMatches(s: Statement, req: AuthRequest): boolean {
  for (const k of Object.keys(s)) {
    if (!['Sid', 'Effect', 'Action', 'Resource', 'Condition', 'Principal'].includes(k)) throw new Error(`iam-eval: unsupported statement element ${k}`);
  }
  if (!principalMatches(s, req)) return false;
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
