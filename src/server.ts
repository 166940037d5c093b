import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

// The only place (with cli.ts) that reads the environment, listens and exits.
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    config = loadConfig();
    app = await buildApp(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const bootstrapKey = await app.services.keys.bootstrap(config.adminKey !== undefined);
  if (bootstrapKey) {
    // Printed once, on the first start of an empty database; only its hash is stored.
    process.stdout.write(
      `\nNo API keys yet: created an admin key. Store it now, it will not be shown again:\n\n  ${bootstrapKey}\n\n`,
    );
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal, drainMs: config.shutdownDrainMs }, 'shutting down: draining in-flight requests');
    // A handler stuck past the drain does not keep the process alive: exit anyway.
    setTimeout(() => {
      app.log.error({ drainMs: config.shutdownDrainMs }, 'drain timed out: exiting with requests in flight');
      process.exit(1);
    }, config.shutdownDrainMs).unref();
    // Keep-alive connections whose last request finishes during the drain would otherwise stay
    // open (close() only closes those idle at the moment it is called): close them as they idle.
    setInterval(() => app.server.closeIdleConnections(), 100).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  app.log.info(`Swagger UI: http://${config.host}:${port}/docs  (database: ${config.databaseFile})`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Broadsheet failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
