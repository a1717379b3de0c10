// Process entry of the gateway: configuration, listen, graceful close on SIGTERM/SIGINT.
import { listenAndServe, runMain } from '@healthmatch/platform';
import { buildApp } from './app.ts';
import { loadGatewayConfig } from './config.ts';

runMain(async () => {
  const config = loadGatewayConfig();
  const app = await buildApp(config);
  await listenAndServe(app, { port: config.PORT, host: config.HOST });
});
