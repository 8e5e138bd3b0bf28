// The JMAP API endpoint without HTTP (RFC 8620 §3): takes the request body's text, returns the
// Response object, or throws a RequestError for a request-level problem (§3.6.1). Method
// calls run in order; each sees the responses before it through result references (§3.7);
// a method error answers that call only (§3.6.2). http/ mounts this at /jmap/api.
import { RequestError, REQUEST_ERROR, MethodError } from './errors.ts';
import { CORE_LIMITS, KNOWN_CAPABILITIES } from './limits.ts';
import { METHODS } from './methods/index.ts';
import { resolveReferences, type Invocation } from './resultref.ts';
import { IMPLICIT, type Args, type JmapContext } from './context.ts';
import { sessionState } from './session.ts';

export interface JmapResponse {
  methodResponses: Invocation[];
  createdIds?: Record<string, string>;
  sessionState: string;
}

interface JmapRequest {
  using: string[];
  methodCalls: Invocation[];
  createdIds?: Record<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Checks the Request object's shape (§3.3); anything else is notRequest. */
function asRequest(value: unknown): JmapRequest {
  const bad = (why: string): never => {
    throw new RequestError(REQUEST_ERROR.notRequest, why);
  };
  if (!isObject(value)) return bad('the request is not a JSON object');
  const { using, methodCalls, createdIds } = value;
  if (!Array.isArray(using) || !using.every((u) => typeof u === 'string'))
    return bad('"using" must be an array of strings');
  if (!Array.isArray(methodCalls)) return bad('"methodCalls" must be an array');
  for (const c of methodCalls)
    if (
      !Array.isArray(c) ||
      c.length !== 3 ||
      typeof c[0] !== 'string' ||
      !isObject(c[1]) ||
      typeof c[2] !== 'string'
    )
      return bad('each method call must be [name, arguments object, call id]');
  if (
    createdIds !== undefined &&
    (!isObject(createdIds) || !Object.values(createdIds).every((v) => typeof v === 'string'))
  )
    return bad('"createdIds" must map creation ids to ids');
  return {
    using: using as string[],
    methodCalls: methodCalls as Invocation[],
    ...(createdIds ? { createdIds: createdIds as Record<string, string> } : {}),
  };
}

/**
 * Ids given as "#creationId" in the id lists of a call stand for the ids created earlier in
 * the request (RFC 8620 §5.3); unknown ones are left for the method to find missing.
 */
function resolveCreationIds(args: Args, createdIds: Map<string, string>): Args {
  for (const key of ['ids', 'emailIds']) {
    const v = args[key];
    if (Array.isArray(v))
      args[key] = v.map((id: unknown) =>
        typeof id === 'string' && id.startsWith('#') ? (createdIds.get(id.slice(1)) ?? id) : id,
      );
  }
  return args;
}

export async function handleApiRequest(ctx: JmapContext, body: string): Promise<JmapResponse> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new RequestError(
      REQUEST_ERROR.notJSON,
      'the request body is not valid JSON (I-JSON, RFC 7493)',
    );
  }
  const req = asRequest(parsed);
  for (const cap of req.using)
    if (!KNOWN_CAPABILITIES.has(cap))
      throw new RequestError(REQUEST_ERROR.unknownCapability, `unknown capability ${cap}`);
  if (req.methodCalls.length > CORE_LIMITS.maxCallsInRequest)
    throw new RequestError(
      REQUEST_ERROR.limit,
      `at most ${CORE_LIMITS.maxCallsInRequest} method calls in one request`,
      { limit: 'maxCallsInRequest' },
    );
  const using = new Set(req.using);
  const createdIds = new Map(Object.entries(req.createdIds ?? {}));
  const responses: Invocation[] = [];
  for (const [name, rawArgs, callId] of req.methodCalls) {
    const method = METHODS[name];
    if (!method || !using.has(method.capability)) {
      responses.push(['error', { type: 'unknownMethod' }, callId]);
      continue;
    }
    try {
      const args: Args = resolveCreationIds(resolveReferences(rawArgs, responses), createdIds);
      const result = await method.run({ ...ctx, createdIds }, args);
      responses.push([name, result, callId]);
      const extra = (result as { [IMPLICIT]?: [string, Args][] })[IMPLICIT];
      for (const [n, a] of extra ?? []) responses.push([n, a, callId]);
    } catch (err) {
      if (err instanceof MethodError) responses.push(['error', err.toJSON(), callId]);
      else {
        ctx.core.log.error({ err, method: name }, 'JMAP method failed');
        responses.push(['error', { type: 'serverFail' }, callId]);
      }
    }
  }
  return {
    methodResponses: responses,
    ...(req.createdIds ? { createdIds: Object.fromEntries(createdIds) } : {}),
    sessionState: sessionState(ctx.account),
  };
}
