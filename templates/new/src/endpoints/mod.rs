//! Endpoints: WebSocket handlers, one module per endpoint (`tspawn websocket NAME`), each
//! re-exported here for src/routes.rs.

// tspawn:modules (generated modules go above this line)

// tspawn:exports (generated re-exports go above this line)
