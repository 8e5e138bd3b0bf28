// Builds the web app (web/ → web/dist) with Vite when it is missing or older than its sources.
// `npm start` and `npm test` call this, so a fresh clone needs no separate build step;
// `npm run build:web` forces a build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('../web/', import.meta.url));
const SOURCES = [
  join(WEB, 'src'),
  join(WEB, 'public'),
  join(WEB, 'index.html'),
  join(WEB, 'vite.config.ts'),
];
const SHARED = fileURLToPath(new URL('../src/api/', import.meta.url));

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let m = 0;
  for (const e of readdirSync(path)) m = Math.max(m, newest(join(path, e)));
  return m;
}

export async function buildWeb(force = false): Promise<boolean> {
  const index = join(WEB, 'dist', 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(...SOURCES.map(newest), newest(SHARED));
  if (!force && built > sources) return false;
  const { build } = await import('vite');
  await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' });
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildWeb(process.argv.includes('--force'));
}
