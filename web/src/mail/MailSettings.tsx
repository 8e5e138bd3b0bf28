// Mail settings, shown in Settings: the signature (Identity/set textSignature and
// htmlSignature, RFC 8621 §6) and the out-of-office reply (VacationResponse, RFC 8621 §8:
// on/off, from/to dates, subject, message).
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../app/session.tsx';
import { Alert } from '../ui/Alert.tsx';
import { getIdentities, USING_SUBMISSION, USING_VACATION, type Identity } from './model.ts';

interface Vacation {
  id: string;
  isEnabled: boolean;
  fromDate: string | null;
  toDate: string | null;
  subject: string | null;
  textBody: string | null;
  htmlBody: string | null;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** "2026-12-01T00:00:00Z" ⇄ the value of <input type="date"> (a day, local). */
const toDay = (utc: string | null): string => {
  if (!utc) return '';
  const d = new Date(utc);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};
const fromDay = (day: string, endOfDay: boolean): string | null => {
  if (!day) return null;
  const d = new Date(`${day}T${endOfDay ? '23:59:59' : '00:00:00'}`);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
};

export function MailSettings() {
  return (
    <>
      <Signature />
      <OutOfOffice />
    </>
  );
}

function Signature() {
  const { t } = useTranslation('mail');
  const { jmap } = useSession();
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [text, setText] = useState('');
  const [state, setState] = useState<'idle' | 'saved' | 'error' | 'unavailable'>('idle');
  const [detail, setDetail] = useState('');

  useEffect(() => {
    getIdentities(jmap)
      .then((list) => {
        const id = list[0] ?? null;
        setIdentity(id);
        setText(id?.textSignature ?? '');
        if (!id) setState('unavailable');
      })
      .catch(() => setState('unavailable'));
  }, [jmap]);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!identity) return;
    const html = text
      .split('\n')
      .map((l) => escapeHtml(l))
      .join('<br>');
    try {
      const r = await jmap.one<{ notUpdated?: Record<string, { description?: string }> | null }>(
        'Identity/set',
        {
          update: {
            [identity.id]: { textSignature: text, htmlSignature: html ? `<p>${html}</p>` : '' },
          },
        },
        USING_SUBMISSION,
      );
      const bad = r.notUpdated?.[identity.id];
      if (bad) throw new Error(bad.description ?? '');
      setState('saved');
    } catch (err) {
      setDetail(err instanceof Error ? err.message : String(err));
      setState('error');
    }
  };

  return (
    <section className="card">
      <h2>{t('settings.signature')}</h2>
      {state === 'unavailable' ? (
        <p className="muted">{t('settings.unavailable')}</p>
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          {state === 'saved' && <Alert kind="ok">{t('settings.signatureSaved')}</Alert>}
          {state === 'error' && <Alert kind="error">{t('failed', { detail })}</Alert>}
          <div className="field">
            <label htmlFor="signature">{t('settings.signatureLabel')}</label>
            <textarea
              id="signature"
              rows={4}
              value={text}
              disabled={!identity}
              onChange={(e) => {
                setText(e.target.value);
                setState('idle');
              }}
            />
          </div>
          <button className="button primary" type="submit" disabled={!identity}>
            {t('settings.save')}
          </button>
        </form>
      )}
    </section>
  );
}

function OutOfOffice() {
  const { t } = useTranslation('mail');
  const { jmap } = useSession();
  const [v, setV] = useState<Vacation | null>(null);
  const [state, setState] = useState<'loading' | 'idle' | 'saved' | 'error' | 'unavailable'>(
    'loading',
  );
  const [detail, setDetail] = useState('');

  useEffect(() => {
    jmap
      .one<{ list: Vacation[] }>('VacationResponse/get', { ids: ['singleton'] }, USING_VACATION)
      .then((r) => {
        setV(
          r.list[0] ?? {
            id: 'singleton',
            isEnabled: false,
            fromDate: null,
            toDate: null,
            subject: null,
            textBody: null,
            htmlBody: null,
          },
        );
        setState('idle');
      })
      .catch(() => setState('unavailable'));
  }, [jmap]);

  const change = (patch: Partial<Vacation>): void => {
    setV((old) => (old ? { ...old, ...patch } : old));
    setState('idle');
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!v) return;
    try {
      const r = await jmap.one<{ notUpdated?: Record<string, { description?: string }> | null }>(
        'VacationResponse/set',
        {
          update: {
            singleton: {
              isEnabled: v.isEnabled,
              fromDate: v.fromDate,
              toDate: v.toDate,
              subject: v.subject || null,
              textBody: v.textBody || null,
              htmlBody: null,
            },
          },
        },
        USING_VACATION,
      );
      const bad = r.notUpdated?.singleton;
      if (bad) throw new Error(bad.description ?? '');
      setState('saved');
    } catch (err) {
      setDetail(err instanceof Error ? err.message : String(err));
      setState('error');
    }
  };

  return (
    <section className="card">
      <h2>{t('settings.outOfOffice')}</h2>
      {state === 'unavailable' && <p className="muted">{t('settings.unavailable')}</p>}
      {v && (
        <form onSubmit={(e) => void submit(e)}>
          {state === 'saved' && <Alert kind="ok">{t('settings.vacationSaved')}</Alert>}
          {state === 'error' && <Alert kind="error">{t('failed', { detail })}</Alert>}
          <label className="checkbox-line">
            <input
              type="checkbox"
              checked={v.isEnabled}
              onChange={(e) => change({ isEnabled: e.target.checked })}
            />
            {t('settings.vacationOn')}
          </label>
          <div className="row wrap">
            <div className="field">
              <label htmlFor="vac-from">{t('settings.vacationFrom')}</label>
              <input
                id="vac-from"
                type="date"
                value={toDay(v.fromDate)}
                onChange={(e) => change({ fromDate: fromDay(e.target.value, false) })}
              />
            </div>
            <div className="field">
              <label htmlFor="vac-to">{t('settings.vacationTo')}</label>
              <input
                id="vac-to"
                type="date"
                value={toDay(v.toDate)}
                onChange={(e) => change({ toDate: fromDay(e.target.value, true) })}
              />
            </div>
          </div>
          <div className="field">
            <label htmlFor="vac-subject">{t('settings.vacationSubject')}</label>
            <input
              id="vac-subject"
              value={v.subject ?? ''}
              onChange={(e) => change({ subject: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="vac-text">{t('settings.vacationMessage')}</label>
            <textarea
              id="vac-text"
              rows={5}
              value={v.textBody ?? ''}
              onChange={(e) => change({ textBody: e.target.value })}
            />
          </div>
          <button className="button primary" type="submit">
            {t('settings.save')}
          </button>
        </form>
      )}
    </section>
  );
}
