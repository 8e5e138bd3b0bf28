// Routing by the URL's hash (#/mail/inbox, #/admin/users, #/settings): the server serves the
// same page for every path, the back button works, and a link can be shared.
import { useEffect, useState } from 'react';

export function currentRoute(): string[] {
  return decodeURIComponent(location.hash.replace(/^#\/?/, ''))
    .split('/')
    .filter((s) => s !== '');
}

export function navigate(path: string, replace = false): void {
  const hash = `#/${path.replace(/^\/+/, '')}`;
  if (replace) history.replaceState(null, '', hash);
  else history.pushState(null, '', hash);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** The route as segments; re-renders when it changes. */
export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const on = (): void => setRoute(currentRoute());
    window.addEventListener('hashchange', on);
    window.addEventListener('popstate', on);
    return () => {
      window.removeEventListener('hashchange', on);
      window.removeEventListener('popstate', on);
    };
  }, []);
  return route;
}
