/**
 * The Redis key layout. Every key starts with `{<prefix>}` — one hash tag — so Lua scripts,
 * MULTI and pipelines touch a single slot on a single Redis, Sentinel or Cluster alike.
 * See docs/redis-schema.md.
 */

/** Default key prefix (the hash tag is `{esr}`). */
export const DEFAULT_PREFIX = 'esr';
/** Prefix rule: safe in a hash tag (no braces), short. */
export const PREFIX_PATTERN = /^[A-Za-z0-9_:.-]{1,64}$/;

export interface KeyLayout {
  readonly prefix: string;
  /** `{p}:meta` — StoreMarker JSON, written on first write (gone = the data was wiped). */
  readonly meta: string;
  /** `{p}:sessions` — sorted set (all scores 0) of session ids: the index the snapshot reads. */
  readonly sessionIndex: string;
  /** `{p}:pools` — sorted set of warm-pool names. */
  readonly poolIndex: string;
  /** `{p}:hints` — capped stream of change hints (fields k, id, g, q). */
  readonly hints: string;
  /** `{p}:hints:seq` — counter; each hint carries the next value, so gaps are visible. */
  readonly hintSeq: string;
  /** `{p}:leader:epoch` — current leader epoch (fencing), managed by leader election. */
  readonly leaderEpoch: string;
  /** `{p}:warm:claims` — hash: warm task ARN -> WarmClaim JSON (one task, one session, ever). */
  readonly warmClaims: string;
  /** Sorted set: warm tasks reserved for a stop (score: when, epoch ms); a claim skips them. */
  readonly warmStopping: string;
  /** `{p}:pool:<name>:status` — WarmPoolStatus JSON (batch launch intents), written by the controller. */
  poolStatus(name: string): string;
  /** `{p}:session:<id>:spec` — SessionSpec JSON, written by the gateway. */
  sessionSpec(id: string): string;
  /** `{p}:session:<id>:status` — SessionStatus JSON, written by the controller. */
  sessionStatus(id: string): string;
  /** `{p}:session:<id>:activity` — last activity (epoch ms, decimal), written by `touchSession`. */
  sessionActivity(id: string): string;
  /** `{p}:pool:<name>` — WarmPoolSpec JSON. */
  pool(name: string): string;
  /** Pub/sub channel `{p}:status:<id>` — each status write publishes the new JSON ('' = purged). */
  statusChannel(id: string): string;
  /** `{p}:session:<id>:refresh` — present (PX REFRESH_MIN_INTERVAL_MS) while a refresh request holds back the next. */
  sessionRefresh(id: string): string;
}

export function keyLayout(prefix = DEFAULT_PREFIX): KeyLayout {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(`invalid Redis key prefix "${prefix}": must match ${PREFIX_PATTERN.source}`);
  }
  const t = `{${prefix}}`;
  return {
    prefix,
    meta: `${t}:meta`,
    sessionIndex: `${t}:sessions`,
    poolIndex: `${t}:pools`,
    hints: `${t}:hints`,
    hintSeq: `${t}:hints:seq`,
    leaderEpoch: `${t}:leader:epoch`,
    sessionSpec: (id) => `${t}:session:${id}:spec`,
    sessionStatus: (id) => `${t}:session:${id}:status`,
    sessionActivity: (id) => `${t}:session:${id}:activity`,
    pool: (name) => `${t}:pool:${name}`,
    statusChannel: (id) => `${t}:status:${id}`,
    sessionRefresh: (id) => `${t}:session:${id}:refresh`,
    warmClaims: `${t}:warm:claims`,
    warmStopping: `${t}:warm:stopping`,
    poolStatus: (name) => `${t}:pool:${name}:status`,
  };
}
