/**
 * Groups observed tasks by what they serve, using only their tags (so the mapping is
 * rebuilt from ECS alone after a controller lost its memory). Tasks without our owner tag
 * are not indexed at all: the controller never acts on them.
 */
import { TAG, type ObservedTask } from '../../observed/model.js';

export interface TaskIndex {
  /** Session tasks (role session), every incarnation, live and stopped, by session id. */
  bySession: Map<string, ObservedTask[]>;
  /** Warm tasks not yet claimed (role warm), by pool name. */
  warmByPool: Map<string, ObservedTask[]>;
  /** Owned tasks whose role/session tags are missing or unreadable. */
  untracked: ObservedTask[];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function indexTasks(tasks: Iterable<ObservedTask>, ownerId: string): TaskIndex {
  const index: TaskIndex = { bySession: new Map(), warmByPool: new Map(), untracked: [] };
  for (const task of tasks) {
    if (task.tags[TAG.owner] !== ownerId) continue;
    const role = task.tags[TAG.role];
    const session = task.tags[TAG.session];
    const pool = task.tags[TAG.pool];
    if (role === 'session' && session) push(index.bySession, session, task);
    else if (role === 'warm' && pool) push(index.warmByPool, pool, task);
    else index.untracked.push(task);
  }
  return index;
}
