// The installable app: registers the service worker (public/sw.js), which keeps the
// content-hashed assets so later visits on a slow link start from the cache.
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  });
}
