// A recipients field: addresses as chips, typed text completed from the address book
// (GET /api/directory: the accounts of the user's domain) and from recent correspondents.
// Enter, Tab, comma or a click on a suggestion adds; Backspace in an empty field removes the last.
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/http.ts';
import { addressText, parseAddress, type Address } from './model.ts';
import { recentMatching } from './recent.ts';

interface DirectoryEntry {
  name: string;
  email: string;
}

export function RecipientField(props: {
  label: string;
  value: Address[];
  onChange: (v: Address[]) => void;
  autoFocus?: boolean;
}) {
  const { t } = useTranslation('mail');
  const id = useId();
  const [text, setText] = useState('');
  const [suggestions, setSuggestions] = useState<Address[]>([]);
  const [active, setActive] = useState(0);
  const { value, onChange, autoFocus } = props;
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (autoFocus) input.current?.focus();
  }, [autoFocus]);

  useEffect(() => {
    const q = text.trim();
    if (q.length < 1) {
      setSuggestions([]);
      return;
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      const recent = recentMatching(q);
      void api<{ entries: DirectoryEntry[] }>(
        'GET',
        `/api/directory?q=${encodeURIComponent(q)}`,
        undefined,
        { signal: ctl.signal },
      )
        .then((r) => {
          const seen = new Set(recent.map((a) => a.email.toLowerCase()));
          const more = r.entries
            .filter((e) => !seen.has(e.email.toLowerCase()))
            .map((e) => ({ name: e.name || null, email: e.email }));
          setSuggestions([...recent, ...more].slice(0, 10));
          setActive(0);
        })
        .catch((err: unknown) => {
          // Offline or refused: the recent correspondents still help.
          if (!(err instanceof DOMException && err.name === 'AbortError')) setSuggestions(recent);
        });
    }, 150);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [text]);

  const add = (a: Address): void => {
    if (!value.some((x) => x.email.toLowerCase() === a.email.toLowerCase()))
      onChange([...value, a]);
    setText('');
    setSuggestions([]);
  };

  /** Turns the typed text into a chip; false when it is not an address. */
  const commit = (): boolean => {
    if (!text.trim()) return false;
    const a = parseAddress(text);
    if (a) add(a);
    return !!a;
  };

  const listId = `${id}-list`;
  const open = suggestions.length > 0;
  return (
    <div className="compose-line recipients">
      <label className="compose-label" htmlFor={id}>
        {props.label}
      </label>
      <div className="chips grow">
        {value.map((a) => (
          <span className="chip" key={a.email} title={a.email}>
            {a.name || a.email}
            <button
              type="button"
              className="chip-remove"
              aria-label={t('removeRecipient', { name: addressText(a) })}
              onClick={() => onChange(value.filter((x) => x !== a))}
            >
              ×
            </button>
          </span>
        ))}
        <input
          id={id}
          className="chip-input"
          ref={input}
          value={text}
          autoComplete="off"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open ? `${listId}-${active}` : undefined}
          onChange={(e) => {
            const v = e.target.value;
            if (/[,;]$/.test(v) && parseAddress(v)) add(parseAddress(v)!);
            else setText(v);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' && open) {
              e.preventDefault();
              setActive((i) => (i + 1) % suggestions.length);
            } else if (e.key === 'ArrowUp' && open) {
              e.preventDefault();
              setActive((i) => (i - 1 + suggestions.length) % suggestions.length);
            } else if (e.key === 'Enter' || (e.key === 'Tab' && text.trim())) {
              const pick = open ? suggestions[active] : undefined;
              if (pick) {
                e.preventDefault();
                add(pick);
              } else if (commit()) e.preventDefault();
            } else if (e.key === 'Backspace' && text === '' && value.length > 0) {
              onChange(value.slice(0, -1));
            } else if (e.key === 'Escape' && open) {
              e.stopPropagation();
              setSuggestions([]);
            }
          }}
          onBlur={() => {
            // Leave time for a click on a suggestion.
            setTimeout(() => {
              commit();
              setSuggestions([]);
            }, 200);
          }}
        />
        {open && (
          <ul className="suggestions" role="listbox" id={listId}>
            {suggestions.map((s, i) => (
              <li
                key={s.email}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => {
                  e.preventDefault();
                  add(s);
                }}
              >
                <strong>{s.name || s.email}</strong>
                {s.name && <span className="muted"> {s.email}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
