// The "?" dialog: every keyboard shortcut of the mail area.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

export const SHORTCUTS: [string, string][] = [
  ['j', 'next'],
  ['k', 'previous'],
  ['o / Enter', 'open'],
  ['u', 'back'],
  ['r', 'reply'],
  ['a', 'replyAll'],
  ['f', 'forward'],
  ['e', 'archive'],
  ['#', 'delete'],
  ['s', 'flag'],
  ['c', 'compose'],
  ['/', 'search'],
  ['?', 'help'],
];

export function Help({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('mail');
  const { t: tc } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="shortcuts-title">
      <h2 id="shortcuts-title">{t('shortcuts.title')}</h2>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([key, what]) => (
            <tr key={key}>
              <td>
                <kbd>{key}</kbd>
              </td>
              <td>{t(`shortcuts.${what}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button className="button" onClick={() => ref.current?.close()}>
        {tc('close')}
      </button>
    </dialog>
  );
}
