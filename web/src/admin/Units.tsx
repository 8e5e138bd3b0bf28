// The unit tree: every unit within reach, expandable, with its accounts (in it, and in its
// whole subtree); create a unit under another, move one (with its subtree), remove an empty
// one, and import units from a CSV of paths (path[,name], missing parents created).
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Page, UnitInfo } from '../../../src/api/schemas.ts';
import { api, ApiError } from '../api/http.ts';
import { formatNumber } from '../i18n/index.ts';
import { useProblemText } from '../i18n/problems.ts';
import { Alert, Spinner } from '../ui/Alert.tsx';
import { Field } from '../ui/Field.tsx';
import { qs, useAdmin, useLoad } from './lib.ts';
import { Confirm, Dialog, Problem, UnitField } from './parts.tsx';

interface Node {
  unit: UnitInfo;
  children: Node[];
  /** Accounts in this unit and every unit below it. */
  total: number;
}

/** Units come in tree order with their parent's path; the roots are those without a parent here. */
function buildTree(units: UnitInfo[]): Node[] {
  const byPath = new Map<string, Node>();
  for (const u of units) byPath.set(u.path, { unit: u, children: [], total: u.accounts });
  const roots: Node[] = [];
  for (const n of byPath.values()) {
    const parent = n.unit.parentPath === null ? undefined : byPath.get(n.unit.parentPath);
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  const sum = (n: Node): number => {
    n.total = n.unit.accounts + n.children.reduce((s, c) => s + sum(c), 0);
    return n.total;
  };
  roots.forEach(sum);
  return roots;
}

async function allUnits(signal: AbortSignal): Promise<UnitInfo[]> {
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
}

type Dialogs =
  | { kind: 'create'; parent: string }
  | { kind: 'move'; path: string }
  | { kind: 'remove'; path: string }
  | { kind: 'import' }
  | null;

export function Units() {
  const { t } = useTranslation('admin');
  const { can } = useAdmin();
  const list = useLoad(allUnits, '');
  const tree = useMemo(() => buildTree(list.data ?? []), [list.data]);
  const [open, setOpen] = useState<Map<string, boolean>>(() => new Map());
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [filter, setFilter] = useState('');
  const done = (): void => {
    setDialog(null);
    list.reload();
  };
  const setExpanded = (path: string, expanded: boolean): void =>
    setOpen((s) => new Map(s).set(path, expanded));
  // The first two levels of what is visible open by default, so the tree is not one line.
  const isOpen = (n: Node, level: number): boolean => open.get(n.unit.path) ?? level < 2;
  const q = filter.trim().toLowerCase();
  const matches = (n: Node): boolean =>
    !q ||
    n.unit.path.includes(q) ||
    n.unit.name.toLowerCase().includes(q) ||
    n.children.some(matches);

  const renderNode = (n: Node, level: number) => {
    if (!matches(n)) return null;
    const expanded = n.children.length > 0 && (q !== '' || isOpen(n, level));
    return (
      <li
        key={n.unit.path}
        role="treeitem"
        aria-expanded={n.children.length > 0 ? expanded : undefined}
      >
        <div className="adm-unit">
          {n.children.length > 0 ? (
            <button
              className="button quiet adm-twisty"
              aria-label={expanded ? t('units.collapse') : t('units.expand')}
              onClick={() => setExpanded(n.unit.path, !expanded)}
            >
              {expanded ? '▾' : '▸'}
            </button>
          ) : (
            <span className="adm-twisty" aria-hidden="true" />
          )}
          <div className="grow">
            {n.unit.name && <div className="adm-unit-name">{n.unit.name}</div>}
            <code className={n.unit.name ? 'muted' : 'adm-unit-name'}>{n.unit.path}</code>
          </div>
          <a
            className="adm-count"
            href={`#/admin/users/~${n.unit.path}`}
            title={t('units.countTitle')}
          >
            {t('units.count', {
              here: formatNumber(n.unit.accounts),
              total: formatNumber(n.total),
            })}
          </a>
          <div className="adm-unit-actions">
            {can('unit.create', n.unit.path) && (
              <button
                className="button"
                onClick={() => setDialog({ kind: 'create', parent: n.unit.path })}
              >
                {t('units.add')}
              </button>
            )}
            {n.unit.path !== '/' && can('unit.move', n.unit.path) && (
              <button
                className="button"
                onClick={() => setDialog({ kind: 'move', path: n.unit.path })}
              >
                {t('units.move')}
              </button>
            )}
            {n.unit.path !== '/' && can('unit.remove', n.unit.path) && (
              <button
                className="button danger"
                onClick={() => setDialog({ kind: 'remove', path: n.unit.path })}
              >
                {t('units.remove')}
              </button>
            )}
          </div>
        </div>
        {expanded && <ul role="group">{n.children.map((c) => renderNode(c, level + 1))}</ul>}
      </li>
    );
  };

  return (
    <section>
      <div className="adm-head">
        <h1>{t('units.title')}</h1>
        {can('unit.create') && (
          <button className="button" onClick={() => setDialog({ kind: 'import' })}>
            {t('units.import')}
          </button>
        )}
      </div>
      <div className="field adm-search">
        <input
          type="search"
          aria-label={t('units.filter')}
          placeholder={t('units.filter')}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </div>
      <Problem error={list.error} />
      {list.loading && !list.data && <Spinner label={t('loading')} />}
      <ul className="adm-tree" role="tree" aria-label={t('units.title')}>
        {tree.map((n) => renderNode(n, 0))}
      </ul>
      {dialog?.kind === 'create' && (
        <CreateUnit
          parent={dialog.parent}
          onDone={() => {
            setExpanded(dialog.parent, true);
            done();
          }}
          onCancel={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'move' && (
        <MoveUnit
          path={dialog.path}
          units={list.data ?? []}
          onDone={done}
          onCancel={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'remove' && (
        <Confirm
          title={t('units.removeTitle')}
          text={t('units.removeText', { path: dialog.path })}
          action={t('units.remove')}
          onCancel={() => setDialog(null)}
          onDone={async () => {
            await api('DELETE', `/api/admin/units${qs({ path: dialog.path })}`);
            done();
          }}
        />
      )}
      {dialog?.kind === 'import' && <ImportUnits onDone={done} onCancel={() => setDialog(null)} />}
    </section>
  );
}

function CreateUnit(props: { parent: string; onDone(): void; onCancel(): void }) {
  const { t } = useTranslation('admin');
  const [segment, setSegment] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const path = `${props.parent === '/' ? '' : props.parent}/${segment.trim()}`;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setError(null);
    api('POST', '/api/admin/units', { path, name: name.trim() || undefined }).then(
      props.onDone,
      setError,
    );
  };
  const say = useProblemText();
  const pathError = error instanceof ApiError ? error.fieldError('path') : undefined;
  const fieldError = pathError && say(pathError);
  return (
    <Dialog title={t('units.addTitle', { parent: props.parent })} onClose={props.onCancel}>
      <form onSubmit={submit}>
        <Field
          label={t('units.segment')}
          hint={t('units.segmentHint', { path })}
          value={segment}
          required
          pattern="[a-z0-9._\-]+"
          autoCapitalize="none"
          spellCheck={false}
          error={fieldError}
          onChange={(e) => setSegment(e.target.value.toLowerCase())}
        />
        <Field label={t('units.name')} value={name} onChange={(e) => setName(e.target.value)} />
        <Problem error={fieldError ? null : error} />
        <div className="adm-actions">
          <button type="button" className="button" onClick={props.onCancel}>
            {t('cancel')}
          </button>
          <button className="button primary">{t('units.create')}</button>
        </div>
      </form>
    </Dialog>
  );
}

function MoveUnit(props: { path: string; units: UnitInfo[]; onDone(): void; onCancel(): void }) {
  const { t } = useTranslation('admin');
  const [parent, setParent] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setError(null);
    api('POST', '/api/admin/units/move', { path: props.path, parent: parent.trim() }).then(
      props.onDone,
      setError,
    );
  };
  const targets = props.units.filter(
    (u) => u.path !== props.path && !u.path.startsWith(`${props.path}/`),
  );
  return (
    <Dialog title={t('units.moveTitle', { path: props.path })} onClose={props.onCancel}>
      <form onSubmit={submit}>
        <p className="muted">{t('units.moveText')}</p>
        <UnitField
          label={t('units.newParent')}
          value={parent}
          onChange={setParent}
          units={targets}
          required
        />
        <Problem error={error} />
        <div className="adm-actions">
          <button type="button" className="button" onClick={props.onCancel}>
            {t('cancel')}
          </button>
          <button className="button primary">{t('units.move')}</button>
        </div>
      </form>
    </Dialog>
  );
}

function ImportUnits(props: { onDone(): void; onCancel(): void }) {
  const { t } = useTranslation('admin');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<{ created: string[]; existing: string[] } | null>(null);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    api<{ created: string[]; existing: string[] }>(
      'POST',
      '/api/admin/units/import',
      new Blob([file], { type: 'text/csv;charset=utf-8' }),
    ).then(setResult, setError);
  };
  return (
    <Dialog title={t('units.importTitle')} onClose={result ? props.onDone : props.onCancel}>
      {result ? (
        <>
          <Alert kind="ok">
            {t('units.imported', {
              created: formatNumber(result.created.length),
              existing: formatNumber(result.existing.length),
            })}
          </Alert>
          <div className="adm-actions">
            <button className="button primary" onClick={props.onDone}>
              {t('close')}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit}>
          <p className="muted">{t('units.importText')}</p>
          <input
            type="file"
            accept=".csv,text/csv"
            aria-label={t('units.importTitle')}
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
          <Problem error={error} />
          <div className="adm-actions">
            <button type="button" className="button" onClick={props.onCancel}>
              {t('cancel')}
            </button>
            <button className="button primary" disabled={!file}>
              {t('units.importButton')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
