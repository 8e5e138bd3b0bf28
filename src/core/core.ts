// The domain core: one object that every door receives. It owns the store, the blob store,
// the change bus and the logger; it opens no sockets.
import { mkdir } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { openStore, type Store, type OpenOptions } from '../store/db.ts';
import { FsBlobStore, type BlobStore } from '../store/blobs.ts';
import { LocalChangeBus, type ChangeBus } from '../store/bus.ts';
import type { Database } from '../store/schema.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import { dataPath, databaseUrl, type LoadedConfig } from './config.ts';

export interface Core {
  config: LoadedConfig;
  store: Store;
  db: Kysely<Database>;
  blobs: BlobStore;
  bus: ChangeBus;
  log: Logger;
}

export interface CoreOptions extends OpenOptions {
  log?: Logger;
}

export async function openCore(config: LoadedConfig, opts: CoreOptions = {}): Promise<Core> {
  const blobDir = dataPath(config, config.blobDir);
  await mkdir(blobDir, { recursive: true });
  const store = await openStore(databaseUrl(config), opts);
  return {
    config,
    store,
    db: store.db,
    blobs: new FsBlobStore(blobDir),
    bus: new LocalChangeBus(),
    log: opts.log ?? silentLogger,
  };
}

export async function closeCore(core: Core): Promise<void> {
  await core.store.close();
}
