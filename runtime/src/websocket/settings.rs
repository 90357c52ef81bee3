//! The `[websocket]` config section: limits every WebSocket endpoint of the app shares.

use serde::Deserialize;

use super::origin::Origin;
use super::outbox::MAX_QUEUE_CAPACITY;

/// Limits and buffer sizes from `[default.websocket]` (or an environment's `[ENV.websocket]`,
/// or `TSPAWN_WEBSOCKET__KEY=value`). A missing section or key takes the default below.
///
/// ```toml
/// [default.websocket]
/// max_message_size = 65536     # bytes (1..=1 GiB); a bigger message or frame: 1009
/// allowed_origins = []         # besides the page's own origin, e.g. ["https://app.example.com"]
/// queue_capacity = 1024        # outgoing messages per connection (1..=1000000)
/// read_buffer_size = 4096      # bytes read at once, per worker thread (1..=64 MiB)
/// write_buffer_size = 4096     # bytes of control frames gathered per write (0..=64 MiB)
/// ```
///
/// A value out of its range fails config loading with an error naming the key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct WebSocketSettings {
    /// Largest message (and frame) a client may send, in bytes (default 64 KiB). A bigger
    /// one closes the connection with 1009 (message too big).
    pub max_message_size: usize,
    /// Origins accepted besides the same-origin rule, as browsers send them:
    /// `scheme://host[:port]` (`https://app.example.com`; a trailing `/` is allowed; anything
    /// else fails config loading). Compared as RFC 6454 origins: scheme, host (without case)
    /// and port, with the scheme's default port filled in (http/ws 80, https/wss 443), so
    /// `https://app.example.com` also admits `https://app.example.com:443`.
    ///
    /// Default: none, so a handshake whose `Origin` is not the request's own origin is
    /// refused with 403. Same-origin means the `Origin`'s host and port (default port filled
    /// in) are those of `Host` (or the URI's authority over HTTP/2); a `Host` without a port
    /// has the default port of the `Origin`'s scheme, so `Host: 127.0.0.1:80` and
    /// `Origin: http://127.0.0.1` match. `null`, other ports and look-alike hosts never do.
    /// A handshake without `Origin` (a non-browser client) is accepted.
    ///
    /// The same-origin rule trusts `Host`, which the client chooses: it stops other sites'
    /// pages, but not DNS rebinding (a hostile name resolving to this server makes `Origin`
    /// and `Host` agree). Serve behind a proxy that only accepts your own host names, or
    /// authenticate in `on_open` (the session cookie is not sent to a rebound name).
    pub allowed_origins: Vec<String>,
    /// Capacity of each connection's outgoing queue (default 1024). A connection whose queue
    /// is full when something is published to it is closed with 1008 (see
    /// [`Hub`](super::Hub)).
    pub queue_capacity: usize,
    /// Bytes read from the socket at once (default 4096; tungstenite's own default is
    /// 128 KiB), into one buffer per worker thread: what the frame parser has not taken yet
    /// is held until it does, so an idle connection holds no read buffer.
    pub read_buffer_size: usize,
    /// Bytes of control frames (pongs, close) gathered before they reach the socket (default
    /// 4096); the buffer is freed once written. Messages go out in batches, framed once per
    /// publish and written with vectored writes, whatever this is.
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
    /// Checks the values serde cannot: each size and capacity must lie in its range (see
    /// [`WebSocketSettings::RANGES`]) and each of `allowed_origins` must be an origin.
    /// Returns the offending key and the problem.
    pub(crate) fn validate(&self) -> Result<(), (&'static str, &'static str)> {
        if !self
            .allowed_origins
            .iter()
            .all(|o| Origin::parse(o).is_some())
        {
            return Err((
                "allowed_origins",
                "each entry must be an origin, scheme://host[:port] (e.g. https://app.example.com)",
            ));
        }
        let values = [
            self.max_message_size,
            self.queue_capacity,
            self.read_buffer_size,
            self.write_buffer_size,
        ];
        match Self::RANGES
            .iter()
            .zip(values)
            .find(|((_, min, max, _), value)| !(*min..=*max).contains(value))
        {
            Some(((key, _, _, problem), _)) => Err((key, problem)),
            None => Ok(()),
        }
    }

    /// Key, smallest and largest value, and the error naming them.
    const RANGES: [(&'static str, usize, usize, &'static str); 4] = [
        (
            "max_message_size",
            1,
            1 << 30,
            "must be between 1 and 1073741824 (1 GiB)",
        ),
        (
            "queue_capacity",
            1,
            MAX_QUEUE_CAPACITY,
            "must be between 1 and 1000000",
        ),
        (
            "read_buffer_size",
            1,
            64 << 20,
            "must be between 1 and 67108864 (64 MiB)",
        ),
        (
            "write_buffer_size",
            0,
            64 << 20,
            "must be between 0 and 67108864 (64 MiB)",
        ),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_out_of_range_name_their_key() {
        assert_eq!(WebSocketSettings::default().validate(), Ok(()));
        let huge = WebSocketSettings {
            queue_capacity: usize::MAX,
            ..WebSocketSettings::default()
        };
        assert_eq!(huge.validate().unwrap_err().0, "queue_capacity");
        let zero = WebSocketSettings {
            read_buffer_size: 0,
            ..WebSocketSettings::default()
        };
        assert_eq!(zero.validate().unwrap_err().0, "read_buffer_size");
        let big = WebSocketSettings {
            write_buffer_size: usize::MAX,
            max_message_size: 1 << 30,
            ..WebSocketSettings::default()
        };
        assert_eq!(big.validate().unwrap_err().0, "write_buffer_size");
    }

    #[test]
    fn allowed_origins_must_be_origins() {
        let with = |origins: &[&str]| WebSocketSettings {
            allowed_origins: origins.iter().map(|o| o.to_string()).collect(),
            ..WebSocketSettings::default()
        };
        let fine = with(&["https://app.example.com", "http://[::1]:8800/"]);
        assert_eq!(fine.validate(), Ok(()));
        for bad in [
            "app.example.com",
            "https://app.example.com/chat",
            "null",
            "*",
            "http://a.example:99999",
        ] {
            let error = with(&["https://ok.example", bad]).validate().unwrap_err();
            assert_eq!(error.0, "allowed_origins", "{bad}");
        }
    }
}
