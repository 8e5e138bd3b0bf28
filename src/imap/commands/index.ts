// Every command the server knows, by name: the session looks the handler up here after
// parsing. Adding a command = a grammar case in proto/grammar.ts + a file here.
import type { CommandName } from '../proto/grammar.ts';
import type { AnyHandler } from './types.ts';
import { acl } from './acl.ts';
import { append } from './append.ts';
import { authenticate } from './authenticate.ts';
import { capability } from './capability.ts';
import { close } from './close.ts';
import { compress } from './compress.ts';
import { copy } from './copy.ts';
import { create } from './create.ts';
import { del } from './delete.ts';
import { enable } from './enable.ts';
import { expunge } from './expunge.ts';
import { fetch } from './fetch.ts';
import { id } from './id.ts';
import { idle } from './idle.ts';
import { list, lsub } from './list.ts';
import { login } from './login.ts';
import { logout } from './logout.ts';
import { namespace } from './namespace.ts';
import { noop } from './noop.ts';
import { getquota, getquotaroot, setquota } from './quota.ts';
import { rename } from './rename.ts';
import { search } from './search.ts';
import { select } from './select.ts';
import { sort } from './sort.ts';
import { starttls } from './starttls.ts';
import { status } from './status.ts';
import { store } from './store.ts';
import { subscribe } from './subscribe.ts';
import { thread } from './thread.ts';

export const handlers: Record<CommandName, AnyHandler> = {
  CAPABILITY: capability,
  NOOP: noop,
  CHECK: noop,
  LOGOUT: logout,
  STARTTLS: starttls,
  LOGIN: login,
  AUTHENTICATE: authenticate,
  ID: id,
  ENABLE: enable,
  NAMESPACE: namespace,
  SELECT: select,
  EXAMINE: select,
  CREATE: create,
  DELETE: del,
  RENAME: rename,
  SUBSCRIBE: subscribe,
  UNSUBSCRIBE: subscribe,
  LIST: list,
  LSUB: lsub,
  STATUS: status,
  APPEND: append,
  CLOSE: close,
  UNSELECT: close,
  IDLE: idle,
  EXPUNGE: expunge,
  'UID EXPUNGE': expunge,
  FETCH: fetch,
  STORE: store,
  COPY: copy,
  MOVE: copy,
  SEARCH: search,
  SORT: sort,
  THREAD: thread,
  GETQUOTA: getquota,
  GETQUOTAROOT: getquotaroot,
  SETQUOTA: setquota,
  COMPRESS: compress,
  GETACL: acl,
  MYRIGHTS: acl,
  SETACL: acl,
  DELETEACL: acl,
  LISTRIGHTS: acl,
};
