// Bulk import: upload a CSV (UTF-8; email,name,unit and optionally quota, password, aliases,
// personal_email), see the server's preview with each row's problems by line number, apply it
// with a progress bar (the server imports in the background; this polls its light progress
// view, without the rows, and fetches the rows once when it ends), then download the result
// with the initial passwords. Each row's problems come as codes, said in the interface
// language (i18n/problems.ts). Rows with a personal_email get a welcome mail (a link to
// choose a password) instead of a password. The server forgets the import after an hour.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportJob, ImportProgress } from '../../../src/api/schemas.ts';
import { api } from '../api/http.ts';
import { formatDate, formatNumber } from '../i18n/index.ts';
import { useProblemText } from '../i18n/problems.ts';
import { Alert, Spinner } from '../ui/Alert.tsx';
import { downloadCsv, qs } from './lib.ts';
import { Problem, SelectField } from './parts.tsx';

const POLL_MS = 1000;
/** Problem rows shown at first; the rest behind a button (a 20,000-row file stays light). */
const SHOWN = 200;

export function Import() {
  const { t } = useTranslation('admin');
  const [file, setFile] = useState<File | null>(null);
  const [unknownUnits, setUnknownUnits] = useState<'create' | 'refuse'>('refuse');
  const [job, setJob] = useState<ImportJob | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [welcomeDays, setWelcomeDays] = useState('7');

  const upload = (e: FormEvent): void => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setJob(null);
    api<ImportJob>(
      'POST',
      `/api/admin/imports${qs({ unknownUnits, source: file.name })}`,
      new Blob([file], { type: 'text/csv;charset=utf-8' }),
    )
      .then(setJob, setError)
      .finally(() => setBusy(false));
  };

  // While the import runs, ask for its progress every second: the counts only (a few hundred
  // bytes however many rows, for a slow provincial link); the rows, with each one's outcome,
  // once when it has ended.
  const running = job?.state === 'running';
  const jobId = job?.id;
  useEffect(() => {
    if (!running || !jobId) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fail = (err: unknown): void => {
      if (!stop) setError(err);
    };
    const tick = (): void => {
      api<ImportProgress>('GET', `/api/admin/imports/${jobId}/progress`).then((p) => {
        if (stop) return;
        if (p.state === 'running') {
          setJob((j) => (j && j.id === p.id ? { ...j, ...p } : j));
          timer = setTimeout(tick, POLL_MS);
        } else
          api<ImportJob>('GET', `/api/admin/imports/${jobId}`).then((j) => {
            if (!stop) setJob(j);
          }, fail);
      }, fail);
    };
    timer = setTimeout(tick, POLL_MS);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [running, jobId]);

  const apply = (): void => {
    if (!job) return;
    setError(null);
    const days = Number(welcomeDays);
    api<ImportJob>(
      'POST',
      `/api/admin/imports/${job.id}/apply`,
      welcomes(job) > 0 && days >= 1 && days <= 60 ? { welcomeDays: days } : {},
    ).then(setJob, setError);
  };

  const reset = (): void => {
    if (job && job.state !== 'running')
      void api('DELETE', `/api/admin/imports/${job.id}`).catch(() => undefined);
    setJob(null);
    setFile(null);
    setError(null);
  };

  return (
    <section className="adm-import">
      <h1>{t('import.title')}</h1>
      {!job && (
        <form className="card" onSubmit={upload}>
          <p>{t('import.intro')}</p>
          {/* Focusable, so that a keyboard can scroll it on a narrow screen (WCAG 2.1.1). */}
          <pre className="adm-sample" tabIndex={0} aria-label={t('import.sample')}>
            email,name,unit,quota,aliases,personal_email{'\n'}
            somchai@moes.gov.la,ສົມໃຈ ພົມມະຈັນ,/ministry/provinces/vientiane,2G,,{'\n'}
            noy@moes.gov.la,ນ້ອຍ ແກ້ວມະນີ,/ministry/provinces/vientiane/xaythany,,,noy.k@gmail.com
          </pre>
          <p className="muted">{t('import.columns')}</p>
          <div className="field">
            <label htmlFor="adm-import-file">{t('import.file')}</label>
            <input
              id="adm-import-file"
              type="file"
              accept=".csv,text/csv"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </div>
          <SelectField
            label={t('import.unknownUnits')}
            value={unknownUnits}
            onChange={(v) => setUnknownUnits(v === 'create' ? 'create' : 'refuse')}
            options={[
              { value: 'refuse', label: t('import.unknownRefuse') },
              { value: 'create', label: t('import.unknownCreate') },
            ]}
          />
          <button className="button primary" disabled={!file || busy}>
            {busy ? t('import.checking') : t('import.check')}
          </button>
        </form>
      )}
      <Problem error={error} />
      {busy && <Spinner label={t('import.checking')} />}
      {job && (
        <JobView
          job={job}
          welcomeDays={welcomeDays}
          setWelcomeDays={setWelcomeDays}
          onApply={apply}
          onReset={reset}
          onError={setError}
        />
      )}
    </section>
  );
}

const welcomes = (job: ImportJob): number =>
  job.rows.filter((r) => r.welcomeTo && (r.status === 'create' || r.status === 'created')).length;

function JobView(props: {
  job: ImportJob;
  welcomeDays: string;
  setWelcomeDays(v: string): void;
  onApply(): void;
  onReset(): void;
  onError(e: unknown): void;
}) {
  const { t } = useTranslation('admin');
  const say = useProblemText();
  const { job } = props;
  const [showAll, setShowAll] = useState(false);
  const problems = useMemo(() => job.rows.filter((r) => r.status === 'error'), [job.rows]);
  const s = job.summary;
  const n = formatNumber;
  const welcomeRows = welcomes(job);
  const shown = showAll ? problems : problems.slice(0, SHOWN);
  return (
    <>
      <div className="card">
        <h2>
          {job.state === 'preview'
            ? t('import.previewTitle', { file: job.source })
            : t('import.resultTitle', { file: job.source })}
        </h2>
        <ul className="adm-summary" data-testid="import-summary">
          {job.state === 'preview' || job.state === 'running' ? (
            <li className="ok">{t('import.willCreate', { n: n(s.create + s.created) })}</li>
          ) : (
            <li className="ok">{t('import.createdCount', { n: n(s.created) })}</li>
          )}
          <li>{t('import.already', { n: n(s.already) })}</li>
          <li className={s.error > 0 ? 'bad' : ''}>{t('import.refused', { n: n(s.error) })}</li>
          {welcomeRows > 0 && <li>{t('import.welcomes', { n: n(welcomeRows) })}</li>}
        </ul>
        {job.newUnits.length > 0 && (
          <p className="muted">
            {t('import.newUnits', { n: n(job.newUnits.length) })}{' '}
            <code className="adm-break">{job.newUnits.slice(0, 10).join(', ')}</code>
            {job.newUnits.length > 10 && ' …'}
          </p>
        )}

        {job.state === 'preview' && (
          <>
            {welcomeRows > 0 && (
              <div className="field">
                <label htmlFor="adm-welcome-days">{t('import.welcomeDays')}</label>
                <input
                  id="adm-welcome-days"
                  type="number"
                  min={1}
                  max={60}
                  value={props.welcomeDays}
                  onChange={(e) => props.setWelcomeDays(e.target.value)}
                />
              </div>
            )}
            <p className="muted">{t('import.applyText')}</p>
            <div className="adm-actions start">
              <button className="button primary" disabled={s.create === 0} onClick={props.onApply}>
                {t('import.apply', { n: n(s.create) })}
              </button>
              <button className="button" onClick={props.onReset}>
                {t('import.another')}
              </button>
            </div>
          </>
        )}

        {(job.state === 'running' || job.state === 'done') && (
          <div className="adm-progress">
            <label htmlFor="adm-progress">{t('import.progress')}</label>
            <progress
              id="adm-progress"
              max={Math.max(job.total, 1)}
              value={job.state === 'done' ? Math.max(job.total, 1) : job.done}
            />
            <div aria-live="polite" data-testid="import-progress">
              {t('import.progressText', { done: n(job.done), total: n(job.total) })}
            </div>
          </div>
        )}

        {job.state === 'failed' && (
          <Alert kind="error">{t('import.failed', { detail: job.error ?? '' })}</Alert>
        )}

        {(job.state === 'done' || job.state === 'failed') && (
          <>
            {job.state === 'done' && <Alert kind="ok">{t('import.done')}</Alert>}
            <p>
              {t('import.resultText', { when: formatDate(job.expiresAt, { timeStyle: 'short' }) })}
            </p>
            <div className="adm-actions start">
              <button
                className="button primary"
                onClick={() =>
                  downloadCsv(
                    `/api/admin/imports/${job.id}/result`,
                    `import-result-${job.source}`,
                  ).catch(props.onError)
                }
              >
                {t('import.download')}
              </button>
              <button className="button" onClick={props.onReset}>
                {t('import.forget')}
              </button>
            </div>
          </>
        )}
      </div>

      {problems.length > 0 && (
        <div className="card">
          <h2>{t('import.problems', { n: n(problems.length) })}</h2>
          <div className="adm-table-wrap">
            <table className="adm-table" data-testid="import-problems">
              <thead>
                <tr>
                  <th>{t('import.line')}</th>
                  <th>{t('users.address')}</th>
                  <th>{t('import.why')}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr key={r.line}>
                    <td data-label={t('import.line')}>{r.line}</td>
                    <td data-label={t('users.address')} className="adm-break">
                      {r.email || '—'}
                    </td>
                    <td data-label={t('import.why')}>
                      <ul className="adm-why">
                        {r.problems.map((p, i) => (
                          <li key={i}>{say(p)}</li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {shown.length < problems.length && (
            <button className="button" onClick={() => setShowAll(true)}>
              {t('import.showAll', { n: n(problems.length) })}
            </button>
          )}
        </div>
      )}
    </>
  );
}
