// The Node side of bench/fanout.sh: a `ws` (version 8) chat server that behaves like the chat
// app `tspawn websocket chat` generates, minus storage (no history, nothing written: Node's best
// case). Path /chat; every client is on one topic; each text message is broadcast to everyone,
// the sender too; " [ New person joined ]\n" goes to everyone (the newcomer too) when a client
// connects and " [ A person left ]\n" to the others when one leaves. On SIGTERM (or SIGINT) it
// closes every connection with 1001 (going away), as the generated app does, and exits.
//
//   PORT=18901 node server.js      # listens on 127.0.0.1:PORT
'use strict';

const http = require('http');
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.env.PORT || 18901);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok\n');
});
// perMessageDeflate is off by default in ws 8; the tspawn runtime does not compress either.
const wss = new WebSocketServer({ server, path: '/chat' });

function broadcast(data, isBinary) {
  for (const client of wss.clients) {
    if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
  }
}

wss.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    if (!isBinary) broadcast(data, false);
  });
  ws.on('close', () => {
    if (!shuttingDown) broadcast(' [ A person left ]\n', false);
    else if (wss.clients.size === 0) process.exit(0);
  });
  broadcast(' [ New person joined ]\n', false);
});

let shuttingDown = false;
function shutdown() {
  if (shuttingDown) return;
  shuttingDown = true;
  server.close();
  if (wss.clients.size === 0) process.exit(0);
  for (const client of wss.clients) client.close(1001, 'server shutting down');
  // Like the generated app's shutdown deadline: do not wait for ever on slow peers.
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

server.listen(port, '127.0.0.1');
