//! Endpoints: WebSocket handlers, one module per endpoint (`tspawn websocket NAME`).

// tspawn:modules (generated modules go above this line)
