// A service process for server.test.ts: imports the kit's index like every service does,
// listens on a free port, and reports on stdout what happens during shutdown.
import type { AddressInfo } from 'node:net';
import { createService, listenAndServe } from '../index.ts';

const app = await createService({ name: 'graceful', logger: false });
app.get('/slow', async () => {
  process.stdout.write('slow-started\n');
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { done: true };
});
await listenAndServe(app, {
  port: 0,
  host: '127.0.0.1',
  onClose: async () => {
    process.stdout.write('on-close\n');
  },
});
process.stdout.write(`listening ${(app.server.address() as AddressInfo).port}\n`);
