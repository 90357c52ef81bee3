//! How many connections the server keeps open at most: the open-file limit less the
//! descriptors the rest of the app needs (its headroom).
//!
//! Every accepted connection holds a descriptor, and so does much else: the database pool
//! (SQLite opens the database, its `-wal` and its `-shm` file for each connection;
//! PostgreSQL and MySQL a socket each), the static files (`ServeDir` opens a file per
//! request), the log, what the runtime opened at start. If sockets take every descriptor,
//! those fail instead: a WebSocket whose `on_open` cannot open the database is a `500`.
//! So once the open connections reach `soft RLIMIT_NOFILE - headroom`, new ones are refused
//! with `503` while the descriptors the rest needs are still free.

use crate::db::Db;

/// Descriptors kept for what opens files while the app runs, besides its connections and its
/// pool: static files being served, SQLite's temporary files, a file a handler opens.
pub(super) const MARGIN: u64 = 64;

/// Descriptors one pooled database connection may hold: the database, `-wal` and `-shm`
/// files for SQLite...
#[cfg(feature = "sqlite")]
pub(super) const PER_POOL_CONNECTION: u64 = 3;
/// ...one socket for a database server.
#[cfg(not(feature = "sqlite"))]
pub(super) const PER_POOL_CONNECTION: u64 = 1;

/// The descriptors taken as open at start where they cannot be counted (no `/proc/self/fd`
/// or `/dev/fd`): a generated app has 10 to 20 (standard streams, the runtime's event queue
/// and wakers, the listener, the pool's first connection).
pub(super) const OPEN_AT_START_ESTIMATE: u64 = 32;

/// The connection cap and how it was reached (for the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Cap {
    /// The soft open-file limit (`ulimit -n`).
    pub(super) limit: u64,
    /// The descriptors kept for everything but connections.
    pub(super) headroom: u64,
    /// The connections kept open at most.
    pub(super) connections: usize,
}

impl Cap {
    /// The cap for `limit` and `headroom`: `limit - headroom`, but at least a quarter of the
    /// limit and at least 1, so an app started with a very low limit still serves someone. No
    /// limit (`None`, unlimited or unreadable), no cap.
    pub(super) fn new(limit: Option<u64>, headroom: u64) -> Option<Cap> {
        let limit = limit?;
        let connections = limit.saturating_sub(headroom).max(limit / 4).max(1);
        Some(Cap {
            limit,
            headroom,
            connections: usize::try_from(connections).unwrap_or(usize::MAX),
        })
    }

    /// The cap for this process now: its soft limit, and as headroom the descriptors open
    /// now (the pool's first connection among them), what `db` may open at most, and
    /// [`MARGIN`].
    pub(super) fn for_app(db: &Db) -> Option<Cap> {
        let open = open_descriptors().unwrap_or(OPEN_AT_START_ESTIMATE);
        let pool = u64::from(db.options().get_max_connections());
        Cap::new(soft_limit(), headroom(open, pool))
    }
}

/// The descriptors kept for everything but connections: `open` now, `pool` database
/// connections, and [`MARGIN`].
pub(super) fn headroom(open: u64, pool: u64) -> u64 {
    open + pool * PER_POOL_CONNECTION + MARGIN
}

/// The soft limit on open files; `None` when unlimited.
#[cfg(unix)]
fn soft_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

/// No open-file limit to read: connections are refused only when `accept` fails.
#[cfg(not(unix))]
fn soft_limit() -> Option<u64> {
    None
}

/// The descriptors this process has open, counted in `/proc/self/fd` (Linux) or `/dev/fd`
/// (macOS, the BSDs); `None` where neither can be listed.
fn open_descriptors() -> Option<u64> {
    ["/proc/self/fd", "/dev/fd"].iter().find_map(|dir| {
        let entries = std::fs::read_dir(dir).ok()?;
        // The listing's own descriptor is among its entries.
        Some((entries.count() as u64).saturating_sub(1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_the_limit_less_the_headroom() {
        // The chat app on SQLite: ~12 open at start, a pool of 10 (sqlx's default).
        let headroom = headroom(12, 10);
        assert_eq!(headroom, 12 + 10 * PER_POOL_CONNECTION + MARGIN);
        let cap = Cap::new(Some(20_000), headroom).unwrap();
        assert_eq!(cap.connections as u64, 20_000 - headroom);
        assert!(cap.connections >= 19_800);
        assert_eq!(
            Cap::new(Some(200), 106).map(|cap| cap.connections),
            Some(94)
        );
    }

    #[test]
    fn a_low_limit_still_leaves_a_quarter_and_no_limit_no_cap() {
        assert_eq!(Cap::new(Some(128), 200).unwrap().connections, 32);
        assert_eq!(Cap::new(Some(0), 100).unwrap().connections, 1);
        assert_eq!(Cap::new(None, 100), None);
    }

    #[test]
    fn open_descriptors_are_counted_here() {
        if cfg!(target_os = "linux") {
            let open = open_descriptors().unwrap();
            assert!(open >= 3, "at least stdin, stdout and stderr: {open}");
        }
    }
}
