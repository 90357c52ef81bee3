//! A database server for end-to-end tests, reached through its command-line client (`psql`,
//! `mariadb`) at the URL scripts/test-all exports (TSPAWN_TEST_POSTGRES_URL /
//! TSPAWN_TEST_MYSQL_URL).

use std::path::Path;
use std::process::{Command, Stdio};

/// The server's URL from `var`. The test was built to run (the URL was set, or
/// TSPAWN_REQUIRE_SERVICES was), so a missing URL fails it, naming the variable.
pub fn service_url(var: &str) -> String {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => url,
        _ => {
            panic!("{var} is not set: set it to a server's test database, or run scripts/test-all")
        }
    }
}

/// A server at `url`, `SCHEME://USER@HOST:PORT/DATABASE`.
pub struct Server {
    pub url: String,
}

impl Server {
    /// `url` with its database replaced by `database`.
    pub fn url_of(&self, database: &str) -> String {
        let (server, _) = self.url.rsplit_once('/').expect("a database in the URL");
        format!("{server}/{database}")
    }

    /// Runs `sql` (connected to the URL's database) and fails the test if the client fails.
    pub fn sql(&self, sql: &str) {
        let output = self
            .client(None, sql)
            .output()
            .expect("the database client runs");
        assert!(
            output.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Runs `query` on `database` and returns its output, one row per line, tab-separated.
    pub fn query(&self, database: &str, query: &str) -> String {
        let output = self.client(Some(database), query).output().unwrap();
        assert!(
            output.status.success(),
            "{query}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Runs the SQL file `path` on `database`, failing the test at its first error.
    pub fn run_file(&self, database: &str, path: &Path) {
        let sql = std::fs::File::open(path).unwrap();
        let mut client = self.client(Some(database), "");
        let output = client.stdin(Stdio::from(sql)).output().unwrap();
        assert!(
            output.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Whether the server has `database`.
    pub fn has(&self, database: &str) -> bool {
        let query = if self.is_mysql() {
            format!(
                "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '{database}'"
            )
        } else {
            format!("SELECT COUNT(*) FROM pg_database WHERE datname = '{database}'")
        };
        let output = self.client(None, &query).output().unwrap();
        assert!(output.status.success(), "{query}");
        String::from_utf8_lossy(&output.stdout).trim() == "1"
    }

    pub fn is_mysql(&self) -> bool {
        self.url.starts_with("mysql:")
    }

    /// The client connected to `database` (the URL's own when `None`), running `sql`; an
    /// empty `sql` reads the statements from standard input.
    pub fn client(&self, database: Option<&str>, sql: &str) -> Command {
        let url = database.map_or_else(|| self.url.clone(), |d| self.url_of(d));
        let Some(rest) = url.strip_prefix("mysql://") else {
            let mut psql = Command::new("psql");
            psql.args([&url, "-qtA", "-F", "\t", "-v", "ON_ERROR_STOP=1"]);
            if !sql.is_empty() {
                psql.args(["-c", sql]);
            }
            return psql;
        };
        // mysql://USER@HOST:PORT/DATABASE, as .ci/run sets it.
        let (user, rest) = rest.split_once('@').expect("a user in the URL");
        let (host_port, database) = rest.split_once('/').expect("a database in the URL");
        let (host, port) = host_port.split_once(':').unwrap_or((host_port, "3306"));
        let mut mariadb = Command::new("mariadb");
        mariadb.args(["-h", host, "-P", port, "-u", user, "-N", "-B", database]);
        if !sql.is_empty() {
            mariadb.args(["-e", sql]);
        }
        mariadb
    }
}
