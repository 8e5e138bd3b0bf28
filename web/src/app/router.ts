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

/**
 * Fills in a default (the mail area, the inbox) by replacing the URL, but only while the URL
 * is still `at`: a component's effect may run after the user (or a link) has already gone
 * elsewhere, and that choice must win over the default.
 */
export function defaultRoute(at: string, path: string): void {
  if (currentRoute().join('/') === at) navigate(path, true);
}

/** The route as segments; re-renders when it changes. */
export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const on = (): void => {
      const next = currentRoute();
      setRoute((prev) => (prev.join('/') === next.join('/') ? prev : next));
    };
    window.addEventListener('hashchange', on);
    window.addEventListener('popstate', on);
    // The hash may have changed between the first render and now (a link followed while
    // the page was still starting): without this, that change would be missed.
    on();
    return () => {
      window.removeEventListener('hashchange', on);
      window.removeEventListener('popstate', on);
    };
  }, []);
  return route;
}
