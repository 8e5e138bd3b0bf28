// Short messages at the bottom of the screen ("Moved to Trash", "Sending… Undo"), read out
// by screen readers.
import { useTranslation } from 'react-i18next';

export interface Toast {
  id: string;
  text: string;
  sticky?: boolean;
  action?: { label: string; run: () => void } | undefined;
}

export function Toasts({ toasts, dismiss }: { toasts: Toast[]; dismiss: (id: string) => void }) {
  const { t } = useTranslation();
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((x) => (
        <div className="toast" key={x.id}>
          <span className="grow">{x.text}</span>
          {x.action && (
            <button className="button quiet toast-action" onClick={x.action.run}>
              {x.action.label}
            </button>
          )}
          <button
            className="button quiet icon"
            aria-label={t('close')}
            onClick={() => dismiss(x.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
