// The ceiling: a bare node:http server answering a fixed JSON body (a lookup's answer), nothing else.
import { createServer } from 'node:http';

const body = JSON.stringify({ version: '1.0.999' });
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(Buffer.byteLength(body)),
};

const server = createServer((_request, response) => {
  response.writeHead(200, headers);
  response.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address?.port })}\n`);
});
