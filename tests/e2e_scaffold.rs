//! End to end, issue 9's acceptance lines for the scaffold: TreeFrog's tutorial journey on
//! SQLite, PostgreSQL and MariaDB (the last two at TSPAWN_TEST_POSTGRES_URL /
//! TSPAWN_TEST_MYSQL_URL; ignored without them unless TSPAWN_REQUIRE_SERVICES is set), over
//! real HTTP to the running app binary, every change checked in the database with its client.
//!
//! One app per driver, built once: the `blog` table made by hand in the dev database, then
//! `tspawn api blog`. The app is started and driven: the JSON api's statuses (list with
//! pagination, 201 + Location, show, PUT, PATCH, 204 for DELETE, 404, 422 per field, 409 for a
//! stale lock_revision, 415 for a body that is not JSON).

mod common;

use common::app::{cargo_with_env, RunningApp};
use common::http::{Client, Response};
use common::server::{service_url, Server};
use common::tspawn;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// TreeFrog's tutorial table, as each driver spells it.
const BLOG_SQLITE: &str = "CREATE TABLE blog (id INTEGER PRIMARY KEY AUTOINCREMENT, \
    title VARCHAR(20) NOT NULL, body VARCHAR(200), created_at TIMESTAMP, \
    updated_at TIMESTAMP, lock_revision INTEGER);";
const BLOG_POSTGRES: &str = "CREATE TABLE blog (id SERIAL PRIMARY KEY, \
    title VARCHAR(20) NOT NULL, body VARCHAR(200), created_at TIMESTAMP, \
    updated_at TIMESTAMP, lock_revision INTEGER);";
const BLOG_MYSQL: &str = "CREATE TABLE blog (id INTEGER AUTO_INCREMENT PRIMARY KEY, \
    title VARCHAR(20) NOT NULL, body VARCHAR(200), created_at DATETIME, \
    updated_at DATETIME, lock_revision INTEGER);";

/// The generators run on each app, in order (each `tspawn -q ARGS`, with the dev database).
const GENERATORS: &[&[&str]] = &[&["api", "blog"]];

/// A key no row has.
const MISSING: i64 = 987_654_321;

/// An app's dev database, where tspawn reads the table and the started app keeps its rows.
enum Dev {
    Sqlite(PathBuf),
    /// A database of its own on the server, dropped when the test ends (even when it fails;
    /// best effort, never panicking).
    Server {
        server: Server,
        database: String,
    },
}

impl Dev {
    /// Runs `query`; its rows, one a line, columns tab-separated.
    fn query(&self, query: &str) -> String {
        match self {
            Dev::Sqlite(file) => common::sqlite_query(file, query),
            Dev::Server { server, database } => server.query(database, query),
        }
    }

    /// The environment that points tspawn and the app at this database (SQLite: the app's
    /// default, db/dev.sqlite3).
    fn env(&self) -> Vec<(&'static str, String)> {
        match self {
            Dev::Sqlite(_) => vec![],
            Dev::Server { server, database } => {
                vec![("TSPAWN_DATABASE_URL", server.url_of(database))]
            }
        }
    }

    /// How many rows `table` has.
    fn count(&self, table: &str) -> i64 {
        let count = self.query(&format!("SELECT COUNT(*) FROM {table}"));
        count
            .parse()
            .unwrap_or_else(|_| panic!("a count: {count:?}"))
    }

    /// The blog row `id` as `title<TAB>body<TAB>lock_revision` (a NULL body as `(null)`), or
    /// "" when there is none.
    fn blog(&self, id: i64) -> String {
        self.query(&format!(
            "SELECT title, COALESCE(body, '(null)'), lock_revision FROM blog WHERE id = {id}"
        ))
    }
}

impl Drop for Dev {
    fn drop(&mut self) {
        if let Dev::Server { server, database } = self {
            let drop = format!("DROP DATABASE IF EXISTS {database}");
            let _ = server.client(None, &drop).output();
        }
    }
}

/// A generated app, built, with its dev database.
struct App {
    root: PathBuf,
    name: String,
    dev: Dev,
}

impl App {
    /// `tspawn new NAME --db DB` in `parent`, the blog table in a fresh dev database (on
    /// `server` for PostgreSQL and MariaDB), each of [`GENERATORS`], then `cargo build`.
    fn build(parent: &Path, db: &str, server: Option<Server>) -> App {
        let name = format!("{}blog{}", &db[..2], std::process::id());
        tspawn(parent)
            .args(["-q", "new", &name, "--db", db])
            .assert()
            .success();
        let root = parent.join(&name);
        let dev = match server {
            None => {
                let file = root.join("db/dev.sqlite3");
                common::sqlite_file(&file, BLOG_SQLITE);
                Dev::Sqlite(file)
            }
            Some(server) => {
                let database = format!("{name}_dev");
                server.sql(&format!("DROP DATABASE IF EXISTS {database}"));
                server.sql(&format!("CREATE DATABASE {database}"));
                let blog = match server.is_mysql() {
                    true => BLOG_MYSQL,
                    false => BLOG_POSTGRES,
                };
                server.query(&database, blog);
                Dev::Server { server, database }
            }
        };
        let env = dev.env();
        for args in GENERATORS {
            let output = tspawn(&root)
                .arg("-q")
                .args(*args)
                .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "tspawn {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        cargo_with_env(&root, &["build"], &[]);
        App { root, name, dev }
    }

    /// The app's binary, started on a free port with the dev database.
    fn start(&self) -> RunningApp {
        let env = self.dev.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        RunningApp::start(&self.root, &self.name, &env)
    }
}

/// The whole journey on one driver: build, start, drive, stop.
fn journey(parent: &Path, db: &str, server: Option<Server>) {
    let app = App::build(parent, db, server);
    let running = app.start();
    let mut client = Client::new(running.port);
    api_journey(&mut client, &app.dev);
    assert_eq!(running.terminate().code(), Some(0));
}

/// The error envelope of `response`, checked against `status`:
/// `{"error": {"status": N, "message": "...", "fields": {...}}}`.
#[track_caller]
fn envelope(response: &Response, status: u16) -> Value {
    response.expect(status);
    let body = response.json();
    let error = &body["error"];
    assert_eq!(error["status"], json!(status), "{response}");
    assert!(error["message"].is_string(), "{response}");
    assert!(error["fields"].is_object(), "{response}");
    error.clone()
}

/// `tspawn api blog` over HTTP, each change checked in the dev database.
fn api_journey(client: &mut Client, dev: &Dev) {
    let before = dev.count("blog");
    let list = client.get("/api/blog").expect(200).json();
    assert_eq!(list["total"], json!(before), "{list}");

    // Create: 201, the row's URL in Location, the row as stored.
    let body = json!({ "title": "From the api", "body": "JSON body" });
    let created = client.json("POST", "/api/blog", &body);
    let row = created.expect(201).json();
    let id = row["id"].as_i64().unwrap_or_else(|| panic!("an id: {row}"));
    let location = format!("/api/blog/{id}");
    assert_eq!(created.location(), location);
    assert_eq!(row["title"], "From the api");
    assert_eq!(row["body"], "JSON body");
    assert_eq!(row["lock_revision"], json!(1));
    assert!(row["created_at"].is_string(), "{row}");
    assert_eq!(dev.blog(id), "From the api\tJSON body\t1");
    assert_eq!(client.get(&location).expect(200).json(), row);

    // Refused bodies: nothing is stored.
    let empty = json!({ "title": " ", "body": "x" });
    let error = envelope(&client.json("POST", "/api/blog", &empty), 422);
    assert_eq!(error["fields"]["title"], json!(["title is required"]));
    let long = json!({ "title": "x".repeat(21) });
    let error = envelope(&client.json("POST", "/api/blog", &long), 422);
    let expected = json!(["title must be at most 20 characters"]);
    assert_eq!(error["fields"]["title"], expected);
    let text = [("Content-Type", "text/plain")];
    let plain = client.send("POST", "/api/blog", &text, r#"{"title": "plain"}"#);
    envelope(&plain, 415);
    let broken = [("Content-Type", "application/json")];
    envelope(&client.send("POST", "/api/blog", &broken, "{"), 400);
    assert_eq!(dev.count("blog"), before + 1, "a refused body was stored");

    // Pages: two more rows, then the first and the last page of two.
    for title in ["Second", "Third"] {
        client
            .json("POST", "/api/blog", &json!({ "title": title }))
            .expect(201);
    }
    let total = before + 3;
    assert_eq!(dev.count("blog"), total);
    let pages = (total + 1) / 2;
    for (page, items) in [(1, 2), (pages, total - 2 * (pages - 1))] {
        let uri = format!("/api/blog?page={page}&per_page=2");
        let list = client.get(&uri).expect(200).json();
        let expected = json!({ "page": page, "per_page": 2, "total": total, "pages": pages });
        for field in ["page", "per_page", "total", "pages"] {
            assert_eq!(list[field], expected[field], "{field} of {uri}: {list}");
        }
        let got = list["items"].as_array().map(Vec::len);
        assert_eq!(got, Some(usize::try_from(items).unwrap()), "{uri}: {list}");
    }
    envelope(&client.get("/api/blog?page=two"), 400);

    // PUT replaces (a missing optional column becomes null) and moves the revision on.
    let put = json!({ "title": "Replaced", "lock_revision": 1 });
    let saved = client.json("PUT", &location, &put).expect(200).json();
    assert_eq!(saved["title"], "Replaced");
    assert_eq!(saved["body"], Value::Null);
    assert_eq!(saved["lock_revision"], json!(2));
    assert_eq!(dev.blog(id), "Replaced\t(null)\t2");

    // The revision read before that update is stale: 409, nothing changes.
    for method in ["PUT", "PATCH"] {
        let stale = json!({ "title": "Stale", "lock_revision": 1 });
        envelope(&client.json(method, &location, &stale), 409);
    }
    assert_eq!(dev.blog(id), "Replaced\t(null)\t2");
    // Without a revision the update is not tried: 422 naming the field.
    let error = envelope(
        &client.json("PATCH", &location, &json!({ "body": "x" })),
        422,
    );
    assert!(error["fields"]["lock_revision"].is_array(), "{error}");
    let not_json = client.send("PATCH", &location, &text, "{}");
    envelope(&not_json, 415);

    // PATCH changes only what it names.
    let patch = json!({ "body": "Patched", "lock_revision": 2 });
    let saved = client.json("PATCH", &location, &patch).expect(200).json();
    assert_eq!(saved["title"], "Replaced");
    assert_eq!(saved["body"], "Patched");
    assert_eq!(dev.blog(id), "Replaced\tPatched\t3");

    // DELETE: 204 with no body; then the row is gone for every method.
    let deleted = client.send("DELETE", &location, &[], "");
    deleted.expect(204);
    assert_eq!(deleted.body, "");
    assert_eq!(dev.blog(id), "", "the row is still there");
    assert_eq!(dev.count("blog"), total - 1);
    envelope(&client.get(&location), 404);
    envelope(&client.send("DELETE", &location, &[], ""), 404);
    let put = json!({ "title": "Ghost", "lock_revision": 3 });
    envelope(&client.json("PUT", &location, &put), 404);
    envelope(&client.get(&format!("/api/blog/{MISSING}")), 404);
    assert_eq!(dev.count("blog"), total - 1);
}

#[test]
fn the_journey_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    journey(dir.path(), "sqlite", None);
}

#[test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test (or run scripts/test-all)"
)]
fn the_journey_on_postgresql() {
    let url = service_url("TSPAWN_TEST_POSTGRES_URL");
    let dir = tempfile::tempdir().unwrap();
    journey(dir.path(), "postgresql", Some(Server { url }));
}

#[test]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test (or run scripts/test-all)"
)]
fn the_journey_on_mariadb() {
    let url = service_url("TSPAWN_TEST_MYSQL_URL");
    let dir = tempfile::tempdir().unwrap();
    journey(dir.path(), "mysql", Some(Server { url }));
}
