// Shared set-up of the JMAP tests: a core with test.example and two users, the HTTP doors on
// ephemeral ports, and `api()` posting a JMAP request as alice over HTTPS.
import type { Core } from '../../src/core/core.ts';
import { addDomain } from '../../src/core/domains.ts';
import { addUser } from '../../src/core/accounts.ts';
import type { Account } from '../../src/store/schema.ts';
import { startHttp, type HttpDoors } from '../../src/http/server.ts';
import { makeCore, type StoreKind } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { call, type Reply } from '../http/client.ts';

export const PASSWORD = 'correct-horse-battery';
export const USING = ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'];
export const USING_SUBMISSION = [...USING, 'urn:ietf:params:jmap:submission'];

export type Invocation = [string, Record<string, unknown>, string];

export interface JmapEnv {
  core: Core;
  doors: HttpDoors;
  alice: Account;
  accountId: string;
  /** POSTs a Request object; returns the HTTP reply. */
  post(body: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** Runs method calls; returns methodResponses. */
  api(calls: Invocation[], using?: string[]): Promise<Invocation[]>;
  /** Runs method calls as another user of test.example (password PASSWORD). */
  apiAs(user: string, calls: Invocation[], using?: string[]): Promise<Invocation[]>;
  close(): Promise<void>;
}

/** `overrides` are merged into the config file (e.g. `dns`, `jmap`). */
export async function jmapEnv(
  kind: StoreKind,
  overrides: Record<string, unknown> = {},
): Promise<JmapEnv> {
  const h = await makeCore(kind, overrides);
  await addDomain(h.core, 'test.example');
  const alice = await addUser(h.core, { email: 'alice@test.example', password: PASSWORD });
  await addUser(h.core, { email: 'bob@test.example', password: PASSWORD });
  const doors = await startHttp(h.core, await testCert());
  const auth = { user: 'alice@test.example', pass: PASSWORD };
  const post = (body: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
    call(doors.ports.https, '/jmap/api', {
      method: 'POST',
      auth,
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return {
    core: h.core,
    doors,
    alice,
    accountId: `A${alice.id}`,
    post,
    async api(calls, using = USING) {
      const r = await post({ using, methodCalls: calls });
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.body.toString()}`);
      return (r.json() as { methodResponses: Invocation[] }).methodResponses;
    },
    async apiAs(user, calls, using = USING) {
      const r = await call(doors.ports.https, '/jmap/api', {
        method: 'POST',
        auth: { user, pass: PASSWORD },
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ using, methodCalls: calls }),
      });
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.body.toString()}`);
      return (r.json() as { methodResponses: Invocation[] }).methodResponses;
    },
    async close() {
      await doors.close();
      await h.close();
    },
  };
}

/** The arguments of the first response (tests read them loosely typed). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function first(responses: Invocation[]): Record<string, any> {
  const r = responses[0];
  if (!r) throw new Error('no response');
  return r[1];
}

/** The first response as [name, arguments]. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function firstCall(responses: Invocation[]): [string, Record<string, any>] {
  const r = responses[0];
  if (!r) throw new Error('no response');
  return [r[0], r[1]];
}
