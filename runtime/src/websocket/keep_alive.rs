//! Keep-alive: a ping every interval, and a deadline for the pong that answers it.

use std::time::Duration;

use axum::body::Bytes;
use tokio::time::Instant;

use super::ConnId;

/// The longest keep-alive interval; a longer one is capped (with a warning).
const MAX_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// One connection's keep-alive state.
#[derive(Debug)]
pub(super) struct KeepAlive {
    period: Duration,
    /// When the next ping is due (once the previous one is answered).
    next_ping: Instant,
    /// When the pong to the last ping is due; `None` when it arrived.
    pong_deadline: Option<Instant>,
    /// Numbers the pings, so their pongs can be told from others.
    count: u64,
}

impl KeepAlive {
    /// Keep-alive every `seconds` (capped at one day), `None` for 0.
    pub(super) fn new(seconds: u64, conn_id: ConnId) -> Option<KeepAlive> {
        if seconds == 0 {
            return None;
        }
        let mut period = Duration::from_secs(seconds);
        if period > MAX_INTERVAL {
            tracing::warn!(%conn_id, seconds, "keep_alive_interval capped at one day");
            period = MAX_INTERVAL;
        }
        Some(KeepAlive {
            period,
            next_ping: Instant::now() + period,
            pong_deadline: None,
            count: 0,
        })
    }

    /// How long a write may block: two intervals.
    pub(super) fn write_limit(&self) -> Duration {
        self.period * 2
    }

    /// When the awaited pong is due, if one is awaited.
    pub(super) fn pong_deadline(&self) -> Option<Instant> {
        self.pong_deadline
    }

    /// The next keep-alive deadline: the awaited pong's, or else the next ping's.
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.pong_deadline.or(Some(self.next_ping))
    }

    /// The payload of the next ping (`tspawn-keep-alive-N`).
    pub(super) fn next_payload(&mut self) -> Bytes {
        self.count += 1;
        self.payload()
    }

    /// The ping was just written: its pong is due one interval from now, and so is the
    /// next ping.
    pub(super) fn ping_written(&mut self) {
        let now = Instant::now();
        self.next_ping = now + self.period;
        self.pong_deadline = Some(now + self.period);
    }

    /// A pong arrived: it answers the keep-alive ping only if it carries the ping's
    /// payload (pongs to the app's own pings, or unsolicited ones, do not count).
    pub(super) fn pong(&mut self, payload: &[u8]) {
        if self.pong_deadline.is_some() && payload == self.payload() {
            self.pong_deadline = None;
        }
    }

    fn payload(&self) -> Bytes {
        Bytes::from(format!("tspawn-keep-alive-{}", self.count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_the_matching_pong_clears_the_deadline() {
        let mut keep_alive = KeepAlive::new(u64::MAX, ConnId(1)).unwrap();
        assert_eq!(keep_alive.period, MAX_INTERVAL, "capped, no overflow");
        let payload = keep_alive.next_payload();
        keep_alive.ping_written();
        assert_eq!(keep_alive.deadline(), keep_alive.pong_deadline());
        keep_alive.pong(b"");
        keep_alive.pong(b"tspawn-keep-alive-0");
        assert!(keep_alive.pong_deadline().is_some());
        keep_alive.pong(&payload);
        assert!(keep_alive.pong_deadline().is_none());
        assert!(keep_alive.deadline().is_some(), "the next ping's");
        assert!(KeepAlive::new(0, ConnId(1)).is_none());
    }
}
