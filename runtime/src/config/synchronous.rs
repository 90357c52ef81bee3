//! `synchronous`: how SQLite syncs its commits to disk, SQLite's own `PRAGMA synchronous`.

use std::fmt;

use toml::Value;

/// SQLite's `PRAGMA synchronous` level for every connection of the pool (the top-level key
/// `synchronous` of config/app.toml, beside `database_url`; `TSPAWN_SYNCHRONOUS=FULL`).
///
/// Written as SQLite writes it: `"OFF"`, `"NORMAL"`, `"FULL"` or `"EXTRA"` (any case), or
/// the numbers 0 to 3; anything else fails config loading with one line naming the file and
/// the key. See <https://www.sqlite.org/pragma.html#pragma_synchronous>.
///
/// The app's SQLite database runs in WAL mode, where, in SQLite's words, "transactions are
/// durable across application crashes regardless of the synchronous setting": a commit has
/// reached the operating system (the WAL file) when it returns, so an app killed at any
/// moment (SIGKILL, a panic, the OOM killer) loses no committed row. What the levels change
/// is power loss and operating-system crashes:
///
/// - [`Synchronous::Normal`], the default: no fsync per commit (only at checkpoints); "a
///   transaction committed in WAL mode with synchronous=NORMAL might roll back following a
///   power loss or system crash", but the database stays consistent.
/// - [`Synchronous::Full`]: one fsync of the WAL per commit (sqlx's own default): a commit
///   survives power loss too. Each commit then waits for the disk; the chat model's group
///   commit writes every message that arrived meanwhile in the same transaction, so this
///   costs one disk sync per group, not per message.
/// - [`Synchronous::Extra`]: as `Full` in WAL mode (it adds a sync of the journal's folder
///   in rollback-journal modes).
/// - [`Synchronous::Off`]: no fsync at all, not even at checkpoints: still safe against the
///   app crashing, but a power loss can corrupt the database.
///
/// PostgreSQL and MySQL apps do not have the key (it is refused there): their commits are as
/// durable as the server is configured to make them (`synchronous_commit`,
/// `innodb_flush_log_at_trx_commit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Synchronous {
    /// `OFF` (0): never syncs; safe against an app crash, not against power loss.
    Off,
    /// `NORMAL` (1), the default: syncs at checkpoints; a commit survives the app's crash,
    /// and may be lost (never half-written) on power loss.
    #[default]
    Normal,
    /// `FULL` (2): syncs the WAL at every commit; a commit survives power loss.
    Full,
    /// `EXTRA` (3): as `FULL` in WAL mode.
    Extra,
}

impl Synchronous {
    /// The levels in PRAGMA order (0 to 3).
    const ALL: [Synchronous; 4] = [
        Synchronous::Off,
        Synchronous::Normal,
        Synchronous::Full,
        Synchronous::Extra,
    ];

    /// The level as SQLite names it: `"OFF"`, `"NORMAL"`, `"FULL"`, `"EXTRA"`.
    pub fn name(self) -> &'static str {
        match self {
            Synchronous::Off => "OFF",
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
            Synchronous::Extra => "EXTRA",
        }
    }

    /// The number `PRAGMA synchronous` reads back for this level (0 to 3).
    pub fn number(self) -> i64 {
        match self {
            Synchronous::Off => 0,
            Synchronous::Normal => 1,
            Synchronous::Full => 2,
            Synchronous::Extra => 3,
        }
    }

    /// Reads the config value: a level's name in any case, or its number; the error is the
    /// one-line problem for the config error.
    pub(super) fn from_value(value: &Value) -> Result<Synchronous, String> {
        let found = match value {
            // A number may come as text too (`TSPAWN_SYNCHRONOUS=2`, `"2"`), as SQLite reads it.
            Value::String(text) => Self::ALL.into_iter().find(|level| {
                let text = text.trim();
                level.name().eq_ignore_ascii_case(text) || text == level.number().to_string()
            }),
            Value::Integer(number) => Self::ALL
                .into_iter()
                .find(|level| level.number() == *number),
            _ => None,
        };
        found.ok_or_else(|| {
            format!(
                "{value} is not a level of SQLite's PRAGMA synchronous: use \"NORMAL\" (the \
                 default: durable when the app is killed), \"FULL\" (an fsync per commit: \
                 durable through power loss too), \"EXTRA\" or \"OFF\" (or 0 to 3)"
            )
        })
    }
}

impl fmt::Display for Synchronous {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_any_case_and_numbers_are_read() {
        let read = |value: Value| Synchronous::from_value(&value);
        assert_eq!(read("full".into()), Ok(Synchronous::Full));
        assert_eq!(read("NORMAL".into()), Ok(Synchronous::Normal));
        assert_eq!(read(Value::Integer(3)), Ok(Synchronous::Extra));
        assert_eq!(read(Value::Integer(0)), Ok(Synchronous::Off));
        assert_eq!(read(" 2".into()), Ok(Synchronous::Full));
        for bad in [
            Value::from("fsync"),
            Value::from("4"),
            Value::from("+2"),
            Value::Integer(4),
            Value::Boolean(true),
        ] {
            let err = read(bad.clone()).unwrap_err();
            assert!(err.starts_with(&format!("{bad} is not a level")), "{err}");
        }
    }
}
