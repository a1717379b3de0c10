// Baseline for the footprint benchmark: the smallest service the kit can build (no database),
// started the same way the launcher starts a real one.
import { createService, listenAndServe } from '@healthmatch/platform';

const app = await createService({ name: 'hello', logger: false });
await listenAndServe(app, { port: Number(process.env.PORT), host: '127.0.0.1' });
