// Binding a listener: resolves with the port actually bound (config port 0 picks a free one),
// rejects with the listen error (EADDRINUSE, EACCES) so `champa serve` can explain it.
import type { AddressInfo, Server } from 'node:net';

export function listen(server: Server, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
