//! The `[websocket]` config section: limits every WebSocket endpoint of the app shares.

use serde::Deserialize;

/// Limits and buffer sizes from `[default.websocket]` (or an environment's `[ENV.websocket]`,
/// or `TSPAWN_WEBSOCKET__KEY=value`). A missing section or key takes the default below.
///
/// ```toml
/// [default.websocket]
/// max_message_size = 65536     # bytes; a bigger message or frame is closed with 1009
/// allowed_origins = []         # besides the page's own origin (Origin must match Host)
/// queue_capacity = 1024        # outgoing messages per connection before it counts as slow
/// read_buffer_size = 4096      # bytes per connection
/// write_buffer_size = 4096     # bytes per connection
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct WebSocketSettings {
    /// Largest message (and frame) a client may send, in bytes (default 64 KiB). A bigger
    /// one closes the connection with 1009 (message too big).
    pub max_message_size: usize,
    /// Origins accepted besides the same-origin rule, exactly as browsers send them
    /// (`https://app.example.com`). Default: none, so a handshake whose `Origin` header does
    /// not name the request's `Host` is refused with 403; one without `Origin` (a non-browser
    /// client) is accepted.
    pub allowed_origins: Vec<String>,
    /// Capacity of each connection's outgoing queue (default 1024). A connection whose queue
    /// is full when something is published to it is closed with 1008 (see
    /// [`Hub`](super::Hub)).
    pub queue_capacity: usize,
    /// Read buffer per connection, in bytes (default 4096; axum's own default is 128 KiB).
    pub read_buffer_size: usize,
    /// Bytes buffered before a write reaches the socket (default 4096); every batch of
    /// messages is flushed anyway.
    pub write_buffer_size: usize,
}

impl Default for WebSocketSettings {
    fn default() -> Self {
        WebSocketSettings {
            max_message_size: 64 * 1024,
            allowed_origins: Vec::new(),
            queue_capacity: 1024,
            read_buffer_size: 4096,
            write_buffer_size: 4096,
        }
    }
}

impl WebSocketSettings {
    /// Checks the values serde cannot: sizes and capacities must be positive. Returns the
    /// offending key and the problem.
    pub(crate) fn validate(&self) -> Result<(), (&'static str, &'static str)> {
        let positive = [
            ("max_message_size", self.max_message_size),
            ("queue_capacity", self.queue_capacity),
            ("read_buffer_size", self.read_buffer_size),
        ];
        match positive.into_iter().find(|(_, value)| *value == 0) {
            Some((key, _)) => Err((key, "must be greater than 0")),
            None => Ok(()),
        }
    }
}
