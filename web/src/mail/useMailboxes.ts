// The folders of the mail area, kept up to date by push: read whole once with the Mailbox
// state they were read at, then brought forward with Mailbox/changes (sync.ts), which also
// names mailboxes whose counts moved with mail. One catch-up runs at a time; a push during
// it asks for one more. When the server cannot say what changed, all are read again.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Jmap } from '../api/jmap.ts';
import { getMailboxes, type Mailbox } from './model.ts';
import { mailboxChanges } from './sync.ts';

export function useMailboxes(
  jmap: Jmap,
  onError: (err: unknown) => void,
): {
  mailboxes: Mailbox[] | null;
  /** Catches up after a push that says Mailbox (or Email) changed, to `state` if known. */
  sync: (state?: string) => void;
} {
  const [mailboxes, setMailboxes] = useState<Mailbox[] | null>(null);
  const held = useRef<string | null>(null);
  const run = useRef({ running: false, again: false });

  const load = useCallback(async () => {
    const r = await getMailboxes(jmap);
    held.current = r.state;
    setMailboxes(r.list);
  }, [jmap]);
  useEffect(() => {
    load().catch(onError);
  }, [load, onError]);

  const catchUp = useCallback(async () => {
    const since = held.current;
    const c = since === null ? null : await mailboxChanges(jmap, since);
    if (!c) return load();
    held.current = c.state;
    const changed = new Map(c.changed.map((m) => [m.id, m]));
    const gone = new Set(c.destroyed);
    setMailboxes((list) => {
      const kept = (list ?? []).filter((m) => !gone.has(m.id)).map((m) => changed.get(m.id) ?? m);
      const known = new Set(kept.map((m) => m.id));
      return [...kept, ...c.changed.filter((m) => !known.has(m.id))];
    });
  }, [jmap, load]);

  const sync = useCallback(
    (state?: string) => {
      if (state !== undefined && state === held.current) return;
      const r = run.current;
      r.again = true;
      if (r.running) return;
      r.running = true;
      void (async () => {
        try {
          while (r.again) {
            r.again = false;
            await catchUp();
          }
        } catch (err) {
          onError(err);
        } finally {
          r.running = false;
        }
      })();
    },
    [catchUp, onError],
  );

  return { mailboxes, sync };
}
