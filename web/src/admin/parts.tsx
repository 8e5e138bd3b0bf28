// Pieces every console page uses: the error box (a refusal says plainly that the role does not
// allow it), the pager, a confirmation dialog, a secret shown once, and the unit picker.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Page, UnitInfo } from '../../../src/api/schemas.ts';
import { api, ApiError } from '../api/http.ts';
import { formatNumber } from '../i18n/index.ts';
import { useProblemText } from '../i18n/problems.ts';
import { Alert } from '../ui/Alert.tsx';
import { Field } from '../ui/Field.tsx';
import { qs, useAdmin, useLoad } from './lib.ts';

/**
 * What went wrong, for people, in the interface language (the server's problem code, see
 * i18n/problems.ts): 403 is "your role does not allow this", with the reason.
 */
export function Problem({ error }: { error: unknown }) {
  const { t } = useTranslation('admin');
  const say = useProblemText();
  if (!error) return null;
  if (error instanceof ApiError) {
    const detail = say(error.problem);
    if (error.status === 403)
      return (
        <Alert kind="error">
          <strong>{t('error.forbidden')}</strong> <span className="adm-detail">{detail}</span>
        </Alert>
      );
    if (error.status === 400 && error.errors.length > 0)
      return (
        <Alert kind="error">
          {t('error.invalid')}
          <ul className="adm-errors">
            {error.errors.map((e) => (
              <li key={e.field + e.message}>
                <code>{e.field}</code>: {say(e)}
              </li>
            ))}
          </ul>
        </Alert>
      );
    if (error.status === 404) return <Alert kind="error">{t('error.notFound', { detail })}</Alert>;
    if (error.status === 409) return <Alert kind="error">{t('error.conflict', { detail })}</Alert>;
    return <Alert kind="error">{t('error.other', { detail })}</Alert>;
  }
  if (error instanceof Error && error.name === 'AbortError') return null;
  return <Alert kind="error">{t('error.offline')}</Alert>;
}

export function Pager({
  page,
  onOffset,
}: {
  page: { total: number; offset: number; limit: number; items: unknown[] };
  onOffset(offset: number): void;
}) {
  const { t } = useTranslation('admin');
  const from = page.total === 0 ? 0 : page.offset + 1;
  const to = page.offset + page.items.length;
  return (
    <nav className="adm-pager" aria-label={t('pager.label')}>
      <button
        className="button"
        disabled={page.offset === 0}
        onClick={() => onOffset(Math.max(0, page.offset - page.limit))}
      >
        {t('pager.previous')}
      </button>
      <span className="adm-pager-text">
        {t('pager.range', {
          from: formatNumber(from),
          to: formatNumber(to),
          total: formatNumber(page.total),
        })}
      </span>
      <button
        className="button"
        disabled={to >= page.total}
        onClick={() => onOffset(page.offset + page.limit)}
      >
        {t('pager.next')}
      </button>
    </nav>
  );
}

/** A modal dialog (the browser's own <dialog>: focus kept inside, Escape closes). */
export function Dialog({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose(): void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="adm-dialog" aria-labelledby={id} onClose={onClose}>
      <h2 id={id}>{title}</h2>
      {children}
    </dialog>
  );
}

/** Asks before a destructive action; shows the server's refusal inside the dialog. */
export function Confirm({
  title,
  text,
  action,
  onDone,
  onCancel,
}: {
  title: string;
  text: ReactNode;
  action: string;
  onDone(): Promise<void>;
  onCancel(): void;
}) {
  const { t } = useTranslation('admin');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Dialog title={title} onClose={onCancel}>
      <p>{text}</p>
      <Problem error={error} />
      <div className="adm-actions">
        <button className="button" onClick={onCancel}>
          {t('cancel')}
        </button>
        <button
          className="button danger"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setError(null);
            onDone().then(
              () => setBusy(false),
              (err: unknown) => {
                setBusy(false);
                setError(err);
              },
            );
          }}
        >
          {action}
        </button>
      </div>
    </Dialog>
  );
}

/** A password or key the server shows only once. */
export function ShownOnce({ label, value, note }: { label: string; value: string; note?: string }) {
  const { t } = useTranslation('admin');
  const [copied, setCopied] = useState(false);
  return (
    <div className="adm-once" role="status">
      <div>{label}</div>
      <code className="adm-secret" data-testid="shown-once">
        {value}
      </code>
      <div className="row">
        <button
          className="button"
          onClick={() =>
            void navigator.clipboard?.writeText(value).then(
              () => setCopied(true),
              () => undefined,
            )
          }
        >
          {copied ? t('copied') : t('copy')}
        </button>
      </div>
      <div className="muted">{note ?? t('shownOnce')}</div>
    </div>
  );
}

/** Every unit within reach (for pickers), read in pages of 1000. */
export function useUnits(): UnitInfo[] {
  const { can } = useAdmin();
  const allowed = can('unit.read');
  const { data } = useLoad(async (signal) => {
    if (!allowed) return [];
    const out: UnitInfo[] = [];
    for (;;) {
      const page = await api<Page<UnitInfo>>(
        'GET',
        `/api/admin/units${qs({ offset: out.length, limit: 1000 })}`,
        undefined,
        { signal },
      );
      out.push(...page.items);
      if (page.items.length === 0 || out.length >= page.total) return out;
    }
  }, String(allowed));
  return data ?? [];
}

/** A unit path field that suggests the units within reach (a datalist scales to thousands). */
export function UnitField({
  label,
  value,
  onChange,
  units,
  name,
  required,
  error,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  units: UnitInfo[];
  name?: string;
  required?: boolean;
  error?: string | undefined;
}) {
  const id = useId();
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        list={`${id}-units`}
        value={value}
        required={required}
        autoComplete="off"
        spellCheck={false}
        placeholder="/ministry/provinces/…"
        aria-invalid={error ? true : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={`${id}-units`}>
        {units.map((u) => (
          <option key={u.path} value={u.path}>
            {u.name}
          </option>
        ))}
      </datalist>
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

/** A labelled <select>, styled like the other fields. */
export function SelectField({
  label,
  value,
  onChange,
  options,
  name,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  options: { value: string; label: string }[];
  name?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The end of a filter form: a date range (since, until) and the apply button. */
export function DateRangeApply({
  since,
  until,
  onChange,
}: {
  since: string;
  until: string;
  onChange(field: 'since' | 'until', value: string): void;
}) {
  const { t } = useTranslation('admin');
  return (
    <>
      <Field
        label={t('filters.since')}
        type="date"
        value={since}
        onChange={(e) => onChange('since', e.target.value)}
      />
      <Field
        label={t('filters.until')}
        type="date"
        value={until}
        onChange={(e) => onChange('until', e.target.value)}
      />
      <div className="adm-filter-submit">
        <button className="button primary">{t('filters.apply')}</button>
      </div>
    </>
  );
}
