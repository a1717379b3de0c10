// Starts the embedded PostgreSQL on a data directory and then just waits, so a test can
// kill this process with -9 and leave the server running, as a killed launcher would.
import { startEmbeddedPostgres } from '../../../../packages/platform/src/embedded-postgres.ts';

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) throw new Error('usage: orphan-postgres.ts <dataDir> <port>');
await startEmbeddedPostgres({ dataDir, port: Number(port), persistent: true });
process.stdout.write('ready\n');
setInterval(() => {}, 60_000);
