//! Everything tspawn knows about each database driver, in one place: how the CLI spells it
//! (`--db sqlite|postgresql|mysql`, the names TreeFrog's `tspawn --show-drivers` lists), the
//! runtime's Cargo feature that compiles it in, the URL of each environment's database, SQL
//! placeholders and identifier quoting, the longest identifier the server accepts, and the column
//! types generated migrations use. Generators ask a [`Driver`]; none spells a driver's name.

use std::fmt;

/// A database server an app can be made for; only its sqlx driver is compiled into the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Driver {
    Sqlite,
    Postgresql,
    Mysql,
}

/// How identifier lengths are counted by a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthUnit {
    Bytes,
    Characters,
}

impl LengthUnit {
    /// `bytes` or `characters`.
    pub fn as_str(self) -> &'static str {
        match self {
            LengthUnit::Bytes => "bytes",
            LengthUnit::Characters => "characters",
        }
    }
}

/// The longest identifier (table, column, database name) a server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentifierLimit {
    pub max: usize,
    pub unit: LengthUnit,
}

impl IdentifierLimit {
    /// The length of `identifier` in this limit's unit.
    pub fn measure(self, identifier: &str) -> usize {
        match self.unit {
            LengthUnit::Bytes => identifier.len(),
            LengthUnit::Characters => identifier.chars().count(),
        }
    }
}

impl fmt::Display for IdentifierLimit {
    /// `63 bytes`, `64 characters`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.max, self.unit.as_str())
    }
}

impl Driver {
    /// Every driver, in the order `--show-drivers` lists them.
    pub const ALL: [Driver; 3] = [Driver::Sqlite, Driver::Postgresql, Driver::Mysql];

    /// The spelling of `--db` and `--show-drivers` (TreeFrog's driver names, lowercase).
    pub fn cli_name(self) -> &'static str {
        match self {
            Driver::Sqlite => "sqlite",
            Driver::Postgresql => "postgresql",
            Driver::Mysql => "mysql",
        }
    }

    /// Other spellings `--db` accepts: sqlx's feature name, and MariaDB (served by the MySQL
    /// driver, as sqlx's own `mysql` feature serves it).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Driver::Postgresql => &["postgres"],
            Driver::Mysql => &["mariadb"],
            Driver::Sqlite => &[],
        }
    }

    /// The runtime's Cargo feature (named after sqlx's) that compiles this driver in; an app's
    /// Cargo.toml names it, which is how tspawn later tells which driver an app uses.
    pub fn feature(self) -> &'static str {
        match self {
            Driver::Sqlite => "sqlite",
            Driver::Postgresql => "postgres",
            Driver::Mysql => "mysql",
        }
    }

    /// The driver whose runtime feature is `feature`.
    pub fn from_feature(feature: &str) -> Option<Driver> {
        Driver::ALL.into_iter().find(|d| d.feature() == feature)
    }

    /// The product's name, for people: `SQLite`, `PostgreSQL`, `MySQL`.
    pub fn label(self) -> &'static str {
        match self {
            Driver::Sqlite => "SQLite",
            Driver::Postgresql => "PostgreSQL",
            Driver::Mysql => "MySQL",
        }
    }

    /// The server's name in messages about its limits.
    fn server(self) -> &'static str {
        match self {
            Driver::Mysql => "MySQL/MariaDB",
            other => other.label(),
        }
    }

    /// The sqlx URL of the database of environment `env` (`dev`, `test`, `product`) for the app
    /// whose crate is `crate_name`: a file under db/ for SQLite, `<crate>_<env>` on a local
    /// server otherwise.
    pub fn database_url(self, crate_name: &str, env: &str) -> String {
        match self {
            Driver::Sqlite => format!("sqlite:db/{env}.sqlite3"),
            Driver::Postgresql => format!("postgres://postgres@localhost/{crate_name}_{env}"),
            Driver::Mysql => format!("mysql://root@localhost/{crate_name}_{env}"),
        }
    }

    /// The database name [`Driver::database_url`] uses, when it is an SQL identifier (not for
    /// SQLite, whose database is a file).
    pub fn database_name(self, crate_name: &str, env: &str) -> Option<String> {
        (self != Driver::Sqlite).then(|| format!("{crate_name}_{env}"))
    }

    /// The `n`th (1-based) bind parameter: `$n` for PostgreSQL, `?` otherwise.
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Driver::Postgresql => format!("${n}"),
            Driver::Sqlite | Driver::Mysql => "?".to_owned(),
        }
    }

    /// `name` as a quoted identifier: `"name"` (SQL standard; SQLite, PostgreSQL) or
    /// `` `name` `` (MySQL), the quote character doubled inside.
    pub fn quote(self, name: &str) -> String {
        let q = match self {
            Driver::Mysql => '`',
            Driver::Sqlite | Driver::Postgresql => '"',
        };
        let doubled = name.replace(q, &format!("{q}{q}"));
        format!("{q}{doubled}{q}")
    }

    /// `name` as it is written in generated SQL: bare when it is a plain lowercase identifier
    /// (`[a-z_][a-z0-9_]*`) that no driver reserves (see `schema::reserved`), so field-list
    /// tables read naturally on every driver; otherwise quoted with [`Driver::quote`] (`"BlogEntry"`,
    /// `` `order` ``), which keeps a live table's exact spelling.
    pub fn quote_if_needed(self, name: &str) -> String {
        let plain = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if plain && !crate::schema::reserved::is_reserved(name) {
            name.to_owned()
        } else {
            self.quote(name)
        }
    }

    /// The longest identifier the server keeps: PostgreSQL truncates names beyond
    /// NAMEDATALEN − 1 = 63 bytes (docs, "Identifiers and Key Words"); MySQL and MariaDB refuse
    /// table and database names over 64 characters (error 1103/1102); SQLite has no limit.
    pub fn identifier_limit(self) -> Option<IdentifierLimit> {
        match self {
            Driver::Sqlite => None,
            Driver::Postgresql => Some(IdentifierLimit {
                max: 63,
                unit: LengthUnit::Bytes,
            }),
            Driver::Mysql => Some(IdentifierLimit {
                max: 64,
                unit: LengthUnit::Characters,
            }),
        }
    }

    /// `PostgreSQL's limit of 63 bytes`, for messages.
    pub fn describe_limit(self) -> Option<String> {
        self.identifier_limit()
            .map(|limit| format!("{}'s limit of {limit}", self.server()))
    }

    /// The type and constraints of an auto-numbered 64-bit primary key column.
    pub fn id_column(self) -> &'static str {
        match self {
            Driver::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
            Driver::Postgresql => "BIGSERIAL PRIMARY KEY",
            Driver::Mysql => "BIGINT AUTO_INCREMENT PRIMARY KEY",
        }
    }

    /// Whether `INSERT ... RETURNING id` gives back the new row's id: SQLite (3.35+) and
    /// PostgreSQL; MySQL has no RETURNING, the id is the insert's `LAST_INSERT_ID()` (sqlx:
    /// `MySqlQueryResult::last_insert_id`).
    pub fn has_returning(self) -> bool {
        self != Driver::Mysql
    }
}

impl fmt::Display for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cli_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_map_back_to_drivers() {
        for driver in Driver::ALL {
            assert_eq!(Driver::from_feature(driver.feature()), Some(driver));
        }
        assert_eq!(Driver::from_feature("postgresql"), None);
    }

    #[test]
    fn sql_forms() {
        assert_eq!(Driver::Postgresql.placeholder(2), "$2");
        assert_eq!(Driver::Mysql.placeholder(2), "?");
        assert_eq!(Driver::Mysql.quote("a`b"), "`a``b`");
        assert_eq!(Driver::Sqlite.quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(
            Driver::Mysql.database_url("chat_app", "dev"),
            "mysql://root@localhost/chat_app_dev"
        );
        assert_eq!(Driver::Sqlite.database_name("chat_app", "dev"), None);
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(
            Driver::Postgresql.quote_if_needed("blog_entries"),
            "blog_entries"
        );
        assert_eq!(Driver::Postgresql.quote_if_needed("_x1"), "_x1");
        assert_eq!(
            Driver::Postgresql.quote_if_needed("BlogEntry"),
            "\"BlogEntry\""
        );
        assert_eq!(Driver::Mysql.quote_if_needed("order"), "`order`");
        // Reserved by PostgreSQL only, quoted on every driver all the same.
        assert_eq!(Driver::Sqlite.quote_if_needed("user"), "\"user\"");
        assert_eq!(Driver::Mysql.quote_if_needed("1st"), "`1st`");
        assert_eq!(Driver::Mysql.quote_if_needed("a b"), "`a b`");
        assert_eq!(Driver::Sqlite.quote_if_needed(""), "\"\"");
    }

    #[test]
    fn limits_count_in_the_servers_unit() {
        let pg = Driver::Postgresql.identifier_limit().unwrap();
        let my = Driver::Mysql.identifier_limit().unwrap();
        assert_eq!((pg.max, pg.measure("é")), (63, 2));
        assert_eq!((my.max, my.measure("é")), (64, 1));
        assert_eq!(Driver::Sqlite.identifier_limit(), None);
        assert_eq!(
            Driver::Mysql.describe_limit().unwrap(),
            "MySQL/MariaDB's limit of 64 characters"
        );
    }
}
