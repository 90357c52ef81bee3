//! End to end, issue 9's acceptance lines for the scaffold: TreeFrog's tutorial journey on
//! SQLite, PostgreSQL and MariaDB (the last two at TSPAWN_TEST_POSTGRES_URL /
//! TSPAWN_TEST_MYSQL_URL; ignored without them unless TSPAWN_REQUIRE_SERVICES is set), over
//! real HTTP to the running app binary, every change checked in the database with its client.
//!
//! One app per driver, built once: the `blog` table made by hand in the dev database, then
//! `tspawn scaffold blog`, `tspawn api blog` and the field list's `tspawn scaffold post
//! title:string:required body:text published:bool`. The app is started and driven:
//! - the blog pages (SCAFFOLD_SPEC's routes and HTML): list with pages, create, a validation
//!   failure (422, the message beside the field, the input kept), show with its flash, edit, a
//!   stale edit refused (409) and then saved, remove; missing rows 404, GET of remove 405,
//!   values escaped, a POST from another origin 403;
//! - the JSON api's statuses (list with pagination, 201 + Location, show, PUT, PATCH, 204 for
//!   DELETE, 404, 422 per field, 409 for a stale lock_revision, 415 for a body that is not JSON);
//! - the post pages (a textarea, a checkbox): create, refuse, edit, remove.
//!
//! Headless Chromium (tests/browser/scaffold.mjs) drives the SQLite app's blog pages: ignored
//! unless Chromium and playwright-core are there or TSPAWN_REQUIRE_BROWSER is set (build.rs's
//! `skip_browser`). It uses the same build as the SQLite journey, on a database of its own.

mod common;

use common::app::{cargo_with_env, RunningApp};
use common::html::{after, attribute, has_attribute, tag, texts, unescape};
use common::http::{Client, Response};
use common::server::{service_url, Server};
use common::tspawn;
use common::{BLOG_MYSQL, BLOG_POSTGRES, BLOG_SQLITE};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The generators run on each app, in order (each `tspawn -q ARGS`, with the dev database).
const GENERATORS: &[&[&str]] = &[
    &["scaffold", "blog"],
    &["api", "blog"],
    &[
        "scaffold",
        "post",
        "title:string:required",
        "body:text",
        "published:bool",
    ],
];

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

    /// The post row `id` as `title<TAB>body's length<TAB>yes|no<TAB>lock_revision` (the length
    /// tells a CRLF from a LF, which the clients print differently), or "" when there is none.
    fn post(&self, id: i64) -> String {
        self.query(&format!(
            "SELECT title, LENGTH(body), CASE WHEN published THEN 'yes' ELSE 'no' END, \
             lock_revision FROM posts WHERE id = {id}"
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

/// The whole journey on one driver: start, drive, stop.
fn journey(app: &App) {
    let running = app.start();
    let mut client = Client::new(running.port);
    let home = client.get("/").expect(200).body.clone();
    for link in [
        r#"<li><a href="/blog">blog</a> (scaffold blog)</li>"#,
        r#"<li><a href="/post">post</a> (scaffold post)</li>"#,
    ] {
        assert!(home.contains(link), "{link} not on the home page:\n{home}");
    }
    blog_pages(&mut client, &app.dev);
    api_journey(&mut client, &app.dev);
    post_pages(&mut client, &app.dev);
    assert_eq!(running.terminate().code(), Some(0));
}

/// The SQLite app, built once for the two tests that use it (the HTTP journey and Chromium's)
/// in CARGO_TARGET_TMPDIR: made anew by the first test of a run, left there after it.
fn sqlite_app() -> Arc<App> {
    static APP: Mutex<Option<Arc<App>>> = Mutex::new(None);
    let mut app = APP.lock().unwrap_or_else(PoisonError::into_inner);
    let app = app.get_or_insert_with(|| {
        let parent = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e_scaffold");
        if parent.exists() {
            std::fs::remove_dir_all(&parent).unwrap();
        }
        std::fs::create_dir_all(&parent).unwrap();
        Arc::new(App::build(&parent, "sqlite", None))
    });
    Arc::clone(app)
}

/// The id at the end of a redirect to `/NAME/show/ID`.
#[track_caller]
fn shown_id(response: &Response, name: &str) -> i64 {
    response.expect(303);
    let location = response.location();
    let id = location.strip_prefix(&format!("/{name}/show/"));
    id.and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a redirect to /{name}/show/ID: {response}"))
}

/// The flash notice as the layout shows it.
fn notice(text: &str) -> String {
    format!(r#"<p class="flash notice">{text}</p>"#)
}

/// The message the view puts right after the input `field`, which points at it.
#[track_caller]
fn assert_field_error(page: &Response, field: &str, message: &str) {
    let input = tag(&page.body, field);
    assert_eq!(
        attribute(input, "aria-invalid").as_deref(),
        Some("true"),
        "{input}"
    );
    let described = attribute(input, "aria-describedby");
    assert_eq!(described, Some(format!("{field}-error")), "{input}");
    let error = format!(r#"<p class="error" id="{field}-error">{message}</p>"#);
    let next = after(&page.body, field);
    assert!(
        next.starts_with(&error),
        "{error} not right after {input}: {page}"
    );
}

/// The value an input shows (unescaped, as the browser reads it).
#[track_caller]
fn value(page: &Response, field: &str) -> String {
    let input = tag(&page.body, field);
    let value = attribute(input, "value").unwrap_or_else(|| panic!("no value in {input}"));
    unescape(&value)
}

/// Fails the test unless one `<NAME>` element of the page holds `text` (unescaped) and the
/// page has no `raw` (the text unescaped, as markup).
#[track_caller]
fn assert_shown_as_text(page: &Response, name: &str, text: &str, raw: &str) {
    let found = texts(&page.body, name);
    assert!(
        found.iter().any(|t| t == text),
        "{text:?} in no <{name}>: {page}"
    );
    page.lacks(&[raw]);
}

/// The blog pages of `tspawn scaffold blog`, as SCAFFOLD_SPEC.md describes them.
fn blog_pages(client: &mut Client, dev: &Dev) {
    let before = dev.count("blog");
    for uri in ["/blog", "/blog/index"] {
        client.get(uri).expect(200).contains(&[
            "<h1>Listing Blog</h1>",
            "<th>title</th>",
            r#"<a href="/blog/create">New blog</a>"#,
        ]);
    }
    // Two different 404s: an unknown route, and a route of the scaffold with a missing row.
    let unknown = client.get("/blog/nothing/here/at/all");
    unknown.expect(404);

    // The new form: a labelled input per column callers set, by kind; none required.
    let form = client.get("/blog/create");
    form.expect(200).contains(&[
        "<h1>New Blog</h1>",
        r#"<form method="post" action="/blog/create">"#,
        r#"<label for="title">title</label>"#,
        r#"<label for="body">body</label>"#,
        r#"<button type="submit">Create</button>"#,
    ]);
    for (field, length) in [("title", "20"), ("body", "200")] {
        let input = tag(&form.body, field);
        assert!(input.starts_with("<input"), "{input}");
        assert_eq!(attribute(input, "name").as_deref(), Some(field), "{input}");
        assert_eq!(attribute(input, "type").as_deref(), Some("text"), "{input}");
        assert_eq!(attribute(input, "maxlength").as_deref(), Some(length));
        assert!(!has_attribute(input, "required"), "{input}");
    }
    for set_by_the_app in ["id", "created_at", "updated_at", "lock_revision"] {
        form.lacks(&[&format!(r#"name="{set_by_the_app}""#)]);
    }

    // Refused: 422, the message beside the field, what was typed kept; nothing stored.
    let typed = [("title", ""), ("body", "kept <body> & all")];
    let refused = client.form("/blog/create", &typed, &[]);
    refused.expect(422).contains(&["<h1>New Blog</h1>"]);
    assert_field_error(&refused, "title", "title is required");
    assert_eq!(value(&refused, "body"), "kept <body> & all");
    refused.lacks(&["kept <body>"]);
    let long = [("title", "x".repeat(21)), ("body", String::new())];
    let long: Vec<(&str, &str)> = long.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = client.form("/blog/create", &long, &[]);
    refused.expect(422);
    assert_field_error(&refused, "title", "title must be at most 20 characters");
    assert_eq!(value(&refused, "title"), "x".repeat(21));
    assert_eq!(dev.count("blog"), before, "a refused form was stored");

    // Created, as a browser posts it from the app's own page: 303 to the row, flash once.
    let own = format!("http://127.0.0.1:{}", client.port);
    let browser = [("Origin", own.as_str()), ("Sec-Fetch-Site", "same-origin")];
    let fields = [("title", "First post"), ("body", "Hello & <b>bye</b>")];
    let id = shown_id(&client.form("/blog/create", &fields, &browser), "blog");
    assert_eq!(dev.blog(id), "First post\tHello & <b>bye</b>\t1");
    let show = format!("/blog/show/{id}");
    let edit = format!("/blog/save/{id}");
    let remove = format!("/blog/remove/{id}");
    let page = client.get(&show);
    page.expect(200).contains(&[
        "<h1>Showing Blog</h1>",
        &notice("Blog created."),
        "<dt>title</dt>",
        "<dd>First post</dd>",
        &format!(r#"<a href="{edit}">Edit</a>"#),
        ">Back</a>",
    ]);
    assert_shown_as_text(&page, "dd", "Hello & <b>bye</b>", "<b>bye</b>");
    client
        .get(&show)
        .expect(200)
        .lacks(&["Blog created.", "<b>bye</b>"]);
    client.get("/blog").expect(200).contains(&[
        &format!(r#"<a href="{show}">Show</a>"#),
        &format!(r#"<a href="{edit}">Edit</a>"#),
        &format!(
            r#"<form method="post" action="{remove}" onsubmit="return confirm('Remove this blog?')">"#
        ),
        r#"<button type="submit">Remove</button>"#,
        "First post",
    ]);

    // The edit form, filled from the row, carrying the revision it was read at.
    let page = client.get(&edit);
    page.expect(200).contains(&[
        "<h1>Editing Blog</h1>",
        &format!(r#"<form method="post" action="{edit}">"#),
        r#"<input type="hidden" name="lock_revision" value="1">"#,
        r#"<button type="submit">Save</button>"#,
    ]);
    assert_eq!(value(&page, "title"), "First post");
    assert_eq!(value(&page, "body"), "Hello & <b>bye</b>");
    page.lacks(&["<b>bye</b>"]);

    // Saved: 303 to the row, flash, a new revision.
    let fields = [
        ("title", "Edited"),
        ("body", "Second body"),
        ("lock_revision", "1"),
    ];
    assert_eq!(shown_id(&client.form(&edit, &fields, &browser), "blog"), id);
    assert_eq!(dev.blog(id), "Edited\tSecond body\t2");
    client
        .get(&show)
        .expect(200)
        .contains(&[&notice("Blog updated."), "<dd>Edited</dd>"]);

    // A rule broken on save: 422 as on create; the row is as it was.
    let fields = [("title", " "), ("body", "x"), ("lock_revision", "2")];
    let refused = client.form(&edit, &fields, &[]);
    refused.expect(422).contains(&["<h1>Editing Blog</h1>"]);
    assert_field_error(&refused, "title", "title is required");
    assert_eq!(dev.blog(id), "Edited\tSecond body\t2");

    // A form opened at revision 1 is stale now: 409, the user's input kept, the row as the
    // other save left it; the page carries the current revision, so saving again goes through.
    let fields = [
        ("title", "Stale edit"),
        ("body", "mine"),
        ("lock_revision", "1"),
    ];
    let stale = client.form(&edit, &fields, &[]);
    stale.expect(409).contains(&[
        "<h1>Editing Blog</h1>",
        r#"<p class="error" id="form-error">"#,
        r#"<input type="hidden" name="lock_revision" value="2">"#,
    ]);
    let message = after(&stale.body, "form-error");
    let message = &message[..message.find("</p>").unwrap_or_default()];
    assert!(
        message.contains("someone else"),
        "why it was not saved: {stale}"
    );
    assert_eq!(value(&stale, "title"), "Stale edit");
    assert_eq!(value(&stale, "body"), "mine");
    assert_eq!(dev.blog(id), "Edited\tSecond body\t2");
    let fields = [
        ("title", "Stale edit"),
        ("body", "mine"),
        ("lock_revision", "2"),
    ];
    assert_eq!(shown_id(&client.form(&edit, &fields, &[]), "blog"), id);
    assert_eq!(dev.blog(id), "Stale edit\tmine\t3");

    // A value with markup is shown as text everywhere.
    let title = "<script>x()</script>";
    let script = [("title", title), ("body", "")];
    let script_id = shown_id(&client.form("/blog/create", &script, &[]), "blog");
    let page = client.get(&format!("/blog/show/{script_id}"));
    assert_shown_as_text(page.expect(200), "dd", title, "<script>x()");
    let page = client.get("/blog?per_page=1000");
    assert_shown_as_text(page.expect(200), "td", title, "<script>x()");

    // A POST from another site is refused before the handler: 403, nothing changes.
    let forged = [
        vec![("Origin", "http://evil.example")],
        vec![
            ("Origin", "http://evil.example"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
        vec![("Origin", "null")],
    ];
    let rows = dev.count("blog");
    for headers in &forged {
        let fields = [("title", "Forged"), ("body", "")];
        client.form("/blog/create", &fields, headers).expect(403);
        client.form(&remove, &[], headers).expect(403);
    }
    assert_eq!(dev.count("blog"), rows, "a forged form was stored");
    assert_eq!(dev.blog(id), "Stale edit\tmine\t3");

    blog_list_pages(client, dev);

    // Missing rows: the scaffold's own 404 page, not the unknown route's.
    let missing_fields = [("title", "Ghost"), ("body", ""), ("lock_revision", "1")];
    let missing = [
        client.get(&format!("/blog/show/{MISSING}")),
        client.get(&format!("/blog/save/{MISSING}")),
        client.form(&format!("/blog/save/{MISSING}"), &missing_fields, &[]),
        client.form(&format!("/blog/remove/{MISSING}"), &[], &[]),
    ];
    for page in &missing {
        page.expect(404);
        let html = page.header("content-type").unwrap_or_default();
        assert!(html.starts_with("text/html"), "an HTML page: {page}");
        assert_ne!(page.body, unknown.body, "the unknown route's 404: {page}");
    }
    client.get(&remove).expect(405);

    // Removed: 303 to the list, flash, the row gone.
    let removed = client.form(&remove, &[], &browser);
    removed.expect(303);
    assert_eq!(removed.location(), "/blog/index");
    assert_eq!(dev.blog(id), "", "the row is still there");
    client
        .get("/blog/index?per_page=1000")
        .expect(200)
        .contains(&[&notice("Blog removed.")])
        .lacks(&[&format!(r#"href="{show}""#)]);
    client.form(&remove, &[], &[]).expect(404);
}

/// `?page=&per_page=` on the list: "Page N of M" with Previous and Next where they lead.
fn blog_list_pages(client: &mut Client, dev: &Dev) {
    while dev.count("blog") < 3 {
        let fields = [("title", "Filler"), ("body", "")];
        client.form("/blog/create", &fields, &[]).expect(303);
    }
    let total = dev.count("blog");
    let middle = client.get("/blog/index?page=2&per_page=1");
    middle
        .expect(200)
        .contains(&[&format!("Page 2 of {total}"), ">Previous</a>", ">Next</a>"]);
    assert_eq!(middle.body.matches(">Show</a>").count(), 1, "{middle}");
    let first = client.get("/blog/index?page=1&per_page=1");
    first
        .expect(200)
        .contains(&[&format!("Page 1 of {total}"), ">Next</a>"])
        .lacks(&[">Previous</a>"]);
    let last = client.get(&format!("/blog/index?page={total}&per_page=1"));
    last.expect(200)
        .contains(&[&format!("Page {total} of {total}"), ">Previous</a>"])
        .lacks(&[">Next</a>"]);
    let all = client.get("/blog/index?per_page=1000");
    all.expect(200).lacks(&["Page 1 of", ">Next</a>"]);
    let shown = all.body.matches(">Show</a>").count();
    assert_eq!(i64::try_from(shown).unwrap(), total, "{all}");
}

/// The post pages of the field list's scaffold: a text input, a textarea, a checkbox.
fn post_pages(client: &mut Client, dev: &Dev) {
    let before = dev.count("posts");
    let form = client.get("/post/create");
    form.expect(200).contains(&[
        "<h1>New Post</h1>",
        r#"<form method="post" action="/post/create">"#,
    ]);
    let title = tag(&form.body, "title");
    assert_eq!(attribute(title, "type").as_deref(), Some("text"), "{title}");
    assert!(!has_attribute(title, "required"), "{title}");
    let body = tag(&form.body, "body");
    assert!(body.starts_with("<textarea"), "{body}");
    assert_eq!(attribute(body, "name").as_deref(), Some("body"), "{body}");
    let published = tag(&form.body, "published");
    assert_eq!(attribute(published, "type").as_deref(), Some("checkbox"));
    assert_eq!(attribute(published, "value").as_deref(), Some("true"));
    assert!(!has_attribute(published, "checked"), "{published}");

    let fields = [("title", ""), ("body", "kept"), ("published", "true")];
    let refused = client.form("/post/create", &fields, &[]);
    refused.expect(422);
    assert_field_error(&refused, "title", "title is required");
    assert!(
        after(&refused.body, "body").starts_with("kept</textarea>"),
        "{refused}"
    );
    assert!(has_attribute(tag(&refused.body, "published"), "checked"));
    assert_eq!(dev.count("posts"), before);

    // A textarea sends CRLF; the row keeps LF (17 characters, not 18).
    let fields = [
        ("title", "Hello post"),
        ("body", "line one\r\nline two"),
        ("published", "true"),
    ];
    let id = shown_id(&client.form("/post/create", &fields, &[]), "post");
    assert_eq!(dev.post(id), "Hello post\t17\tyes\t1");
    client
        .get(&format!("/post/show/{id}"))
        .expect(200)
        .contains(&[
            "<h1>Showing Post</h1>",
            &notice("Post created."),
            "<dd>Hello post</dd>",
        ]);

    let edit = format!("/post/save/{id}");
    let page = client.get(&edit);
    page.expect(200)
        .contains(&[r#"<input type="hidden" name="lock_revision" value="1">"#]);
    assert!(
        has_attribute(tag(&page.body, "published"), "checked"),
        "{page}"
    );
    let text = after(&page.body, "body");
    assert!(text.starts_with("line one\nline two</textarea>"), "{page}");
    // An unchecked box is not sent at all: false.
    let fields = [
        ("title", "Hello again"),
        ("body", "b"),
        ("lock_revision", "1"),
    ];
    assert_eq!(shown_id(&client.form(&edit, &fields, &[]), "post"), id);
    assert_eq!(dev.post(id), "Hello again\t1\tno\t2");
    let page = client.get(&edit);
    assert!(
        !has_attribute(tag(&page.body, "published"), "checked"),
        "{page}"
    );

    let removed = client.form(&format!("/post/remove/{id}"), &[], &[]);
    removed.expect(303);
    assert_eq!(removed.location(), "/post/index");
    assert_eq!(dev.post(id), "");
    assert_eq!(dev.count("posts"), before);
    client
        .get("/post/index")
        .expect(200)
        .contains(&["<h1>Listing Post</h1>", &notice("Post removed.")]);
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
    journey(&sqlite_app());
}

#[test]
#[cfg_attr(
    skip_postgres,
    ignore = "needs a server: set TSPAWN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test (or run scripts/test-all)"
)]
fn the_journey_on_postgresql() {
    let url = service_url("TSPAWN_TEST_POSTGRES_URL");
    let dir = tempfile::tempdir().unwrap();
    journey(&App::build(dir.path(), "postgresql", Some(Server { url })));
}

#[test]
#[cfg_attr(
    skip_mysql,
    ignore = "needs a server: set TSPAWN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test (or run scripts/test-all)"
)]
fn the_journey_on_mariadb() {
    let url = service_url("TSPAWN_TEST_MYSQL_URL");
    let dir = tempfile::tempdir().unwrap();
    journey(&App::build(dir.path(), "mysql", Some(Server { url })));
}

/// The blog pages in Chromium, on the SQLite app's build with a database of its own
/// (db/browser.sqlite3, made by the app's migrations at start). What the browser left is
/// checked in it: only the row whose title is markup.
#[test]
#[cfg_attr(
    skip_browser,
    ignore = "needs Chromium and playwright-core: apt-get install chromium; npm ci --prefix tests/browser"
)]
fn the_blog_pages_work_in_chromium() {
    let app = sqlite_app();
    let file = app.root.join("db/browser.sqlite3");
    let _ = std::fs::remove_file(&file);
    let url = [("TSPAWN_DATABASE_URL", "sqlite:db/browser.sqlite3")];
    let running = RunningApp::start(&app.root, &app.name, &url);
    let url = format!("http://127.0.0.1:{}", running.port);
    common::browser::run("scaffold.mjs", &url);
    assert_eq!(running.terminate().code(), Some(0));
    let rows = common::sqlite_query(&file, "SELECT title, body, lock_revision FROM blog");
    let expected = "<script>x()</script>\t<img src=x onerror=\"window.pwned=1\"><b>bold</b>\t1";
    assert_eq!(rows, expected);
}
