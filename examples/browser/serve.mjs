// Serves the built pages (dist/: index.html translates, train.html trains) on http://127.0.0.1:8080 (PORT to change
// it). Given a run's T.safetensors, serves it too and prints the address that loads it:
//   pnpm --filter browser-demo start -- ../../runs/bags-shoes/T.safetensors
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

const dist = new URL('./dist/', import.meta.url).pathname;
const mapFile = process.argv[2] ? resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2]) : null;
if (mapFile && !existsSync(mapFile)) throw new Error(`serve: ${mapFile} does not exist (expected a run's T.safetensors)`);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.png': 'image/png', '.safetensors': 'application/octet-stream' };

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const file = path === '/map.safetensors' && mapFile ? mapFile : join(dist, path === '/' ? 'index.html' : path.slice(1));
  if (!file.startsWith(dist) && file !== mapFile) return response.writeHead(403).end();
  if (!existsSync(file)) return response.writeHead(404).end();
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
const port = Number(process.env.PORT ?? 8080);
server.listen(port, '127.0.0.1', () => {
  console.log(`open http://127.0.0.1:${port}/${mapFile ? '?map=/map.safetensors' : ''} to translate`);
  console.log(`open http://127.0.0.1:${port}/train.html to train a map`);
});
