import type { Server } from 'node:http';
import type { Logger } from '@tianwang/core/log';

/**
 * Listens and resolves once bound (rejects on EADDRINUSE and the like); later errors are logged. Returns the
 * undo step: close, dropping open connections (players' streams never end by themselves).
 */
export async function listenHttp(server: Server, port: number, host: string, log: Logger): Promise<() => Promise<void>> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (err) => log.error({ err }, 'http front error'));
      resolve();
    });
  });
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
}
