/**
 * The ceiling of the machine and the load generator: Fastify's hello world, on the same core as
 * the servers measured. Usage: tsx bench/hello-world.ts <port>
 */
import Fastify from 'fastify';

const [port = '0'] = process.argv.slice(2);
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
