// A check of the load generator, not a chat server: accepts WebSocket clients on /chat (plain
// `net`, handshake by hand) and writes to each, as fast as its socket takes them, 64 KiB
// batches of 64-byte text frames shaped like the generator's messages (run tag 0000, send time
// 0). `ws_load --mode open --rate 1 --run 0000 --pid <this process>` then counts them: its own
// CPU per delivery at a rate no chat server here reaches shows whether it could be the
// bottleneck (latencies are meaningless here). See BENCHMARKS.md.
//
//   PORT=18902 node firehose.js
'use strict';

const net = require('net');
const crypto = require('crypto');

const port = Number(process.env.PORT || 18902);
const text = Buffer.from(`bench 0000 99999 ${'0'.repeat(20)} `.padEnd(64, '.'));
const frame = Buffer.concat([Buffer.from([0x81, text.length]), text]);
const batch = Buffer.concat(Array(Math.floor(65536 / frame.length)).fill(frame));

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let head = Buffer.alloc(0);
  socket.on('error', () => {});
  socket.on('data', function onHead(chunk) {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    socket.removeListener('data', onHead);
    socket.on('data', () => {}); // client frames are ignored
    const key = /sec-websocket-key:\s*(\S+)/i.exec(head.toString('latin1'))[1];
    const accept = crypto
      .createHash('sha1')
      .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
      .digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const pump = () => {
      while (socket.write(batch)) {}
    };
    socket.on('drain', pump);
    setTimeout(pump, 3000); // let every client connect first
  });
});
server.listen(port, '127.0.0.1');
