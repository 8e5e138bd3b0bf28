// Result references (RFC 8620 §3.7): an argument "#name" holding {resultOf, name, path} takes
// its value from an earlier response of the same request, through a JSON Pointer (RFC 6901)
// extended with "*": over an array, apply the rest of the path to each item and flatten
// arrays one level. Any failure is invalidResultReference.
import { MethodError } from './errors.ts';
import type { Args } from './context.ts';

export type Invocation = [name: string, args: Args, callId: string];

function fail(why: string): never {
  throw new MethodError('invalidResultReference', why);
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function evaluatePointer(value: unknown, path: string): unknown {
  if (path === '') return value;
  if (!path.startsWith('/')) fail(`path ${path} does not start with /`);
  return walk(value, path.slice(1).split('/').map(unescape));
}

function walk(value: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) return value;
  const [head, ...rest] = tokens as [string, ...string[]];
  if (Array.isArray(value)) {
    if (head === '*') {
      const out: unknown[] = [];
      for (const item of value) {
        const v = walk(item, rest);
        if (Array.isArray(v)) out.push(...(v as unknown[]));
        else out.push(v);
      }
      return out;
    }
    if (!/^(0|[1-9]\d*)$/.test(head) || Number(head) >= value.length)
      fail(`no item ${head} in an array`);
    return walk(value[Number(head)], rest);
  }
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, head))
    return walk((value as Record<string, unknown>)[head], rest);
  return fail(`no property ${head}`);
}

/** Arguments with every "#name" reference replaced by its value. */
export function resolveReferences(args: Args, responses: Invocation[]): Args {
  const out: Args = {};
  for (const [key, value] of Object.entries(args)) {
    if (!key.startsWith('#')) {
      out[key] = value;
      continue;
    }
    const name = key.slice(1);
    if (Object.hasOwn(args, name))
      throw new MethodError('invalidArguments', `both ${name} and #${name} are given`);
    const ref = value as { resultOf?: unknown; name?: unknown; path?: unknown } | null;
    if (
      !ref ||
      typeof ref !== 'object' ||
      typeof ref.resultOf !== 'string' ||
      typeof ref.name !== 'string' ||
      typeof ref.path !== 'string'
    )
      fail(`#${name} is not a ResultReference`);
    const source = responses.find((r) => r[2] === ref.resultOf);
    if (!source) fail(`no response with call id ${ref.resultOf}`);
    if (source[0] !== ref.name) fail(`response ${ref.resultOf} is ${source[0]}, not ${ref.name}`);
    out[name] = evaluatePointer(source[1], ref.path);
  }
  return out;
}
