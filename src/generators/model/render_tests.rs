//! The model templates rendered for hand-made tables on every driver: the output must be
//! rustfmt-clean as written (tspawn never runs rustfmt), for short and long names alike.

use super::view::{Names, View};
use crate::driver::Driver;
use crate::schema::{Column, Kind, Table};
use crate::templates::render;
use std::io::Write;
use std::process::{Command, Stdio};

fn column(name: &str, sql_type: &str, kind: Kind) -> Column {
    Column {
        name: name.to_owned(),
        sql_type: sql_type.to_owned(),
        kind,
        nullable: false,
        auto_increment: false,
        default: None,
        unique: false,
        max_length: None,
        numeric: None,
        foreign_key: None,
        generated: None,
    }
}

/// TreeFrog's tutorial table.
pub fn blog() -> Table {
    let id = Column {
        auto_increment: true,
        ..column("id", "INTEGER", Kind::I64)
    };
    let title = Column {
        max_length: Some(20),
        ..column("title", "VARCHAR(20)", Kind::String)
    };
    let body = Column {
        max_length: Some(200),
        nullable: true,
        ..column("body", "VARCHAR(200)", Kind::String)
    };
    Table {
        name: "blog".to_owned(),
        columns: vec![
            id,
            title,
            body,
            column("created_at", "DATETIME", Kind::DateTime),
            column("updated_at", "DATETIME", Kind::DateTime),
            column("lock_revision", "INTEGER", Kind::I64),
        ],
        primary_key: vec![0],
    }
}

/// A PascalCase table with a composite key and one column of every kind, nullable or not.
fn everything(long: usize) -> Table {
    let kinds = [
        Kind::Bool,
        Kind::I16,
        Kind::I32,
        Kind::I64,
        Kind::F64,
        Kind::Decimal,
        Kind::String,
        Kind::Bytes,
        Kind::Date,
        Kind::Time,
        Kind::DateTime,
        Kind::NaiveDateTime,
        Kind::Uuid,
        Kind::Json,
    ];
    let mut columns = vec![
        column("AlbumId", "INTEGER", Kind::I64),
        Column {
            max_length: Some(8),
            ..column("Lang", "VARCHAR(8)", Kind::String)
        },
    ];
    for (i, kind) in kinds.into_iter().enumerate() {
        let name = format!("{:?}Value{}", kind, "x".repeat(long));
        let numeric = (kind == Kind::Decimal).then_some((10, 2));
        columns.push(Column {
            numeric,
            nullable: i % 2 == 1,
            ..column(&name, "TEXT", kind)
        });
        columns.push(Column {
            numeric,
            nullable: i % 2 == 0,
            ..column(&format!("{name}2"), "TEXT", kind)
        });
    }
    columns.push(column("type", "INTEGER", Kind::I32));
    Table {
        name: format!("BlogEntry{}", "y".repeat(long)),
        columns,
        primary_key: vec![0, 1],
    }
}

fn render_all(driver: Driver, table: &Table, model: &str) -> Vec<(String, String)> {
    render_with(driver, table, &[], model)
}

/// `author` (an auto id, a unique email), `language` (a natural text key) and `book`, whose
/// foreign keys point at both, with a generated column.
fn book() -> (Table, Vec<Table>) {
    let id = Column {
        auto_increment: true,
        ..column("id", "INTEGER", Kind::I64)
    };
    let text = |name: &str, unique: bool| Column {
        max_length: Some(120),
        unique,
        ..column(name, "VARCHAR(120)", Kind::String)
    };
    let author = Table {
        name: "author".to_owned(),
        columns: vec![id.clone(), text("email", true), text("name", false)],
        primary_key: vec![0],
    };
    let language = Table {
        name: "language".to_owned(),
        columns: vec![text("code", false), text("name", true)],
        primary_key: vec![0],
    };
    let fk = |name: &str, table: &str, to: &str, kind: Kind, nullable: bool| Column {
        nullable,
        foreign_key: Some(crate::schema::ForeignKey {
            table: table.to_owned(),
            column: to.to_owned(),
        }),
        ..column(name, kind.rust_type(), kind)
    };
    let total = Column {
        nullable: true,
        generated: Some(crate::schema::Computed {
            expression: "length(title)".to_owned(),
            stored: true,
        }),
        ..column("title_length", "INTEGER", Kind::I64)
    };
    let book = Table {
        name: "book".to_owned(),
        columns: vec![
            id,
            fk("author_id", "author", "id", Kind::I64, false),
            fk("language_code", "language", "code", Kind::String, true),
            text("title", false),
            total,
        ],
        primary_key: vec![0],
    };
    (book, vec![author, language])
}

fn render_with(
    driver: Driver,
    table: &Table,
    parents: &[Table],
    model: &str,
) -> Vec<(String, String)> {
    let view = View::new(
        driver,
        table,
        parents,
        Names {
            model: model.to_owned(),
            module: "blog".to_owned(),
            crate_name: "blogapp".to_owned(),
            command: format!("tspawn model {}", table.name),
        },
    );
    ["sqlobject.rs", "model.rs", "test.rs", "sqlobjects_mod.rs"]
        .iter()
        .map(|t| {
            let text = render(&format!("model/{t}.jinja"), &view).unwrap();
            (t.to_string(), text)
        })
        .collect()
}

/// rustfmt's output for `text`, which must be `text` itself.
fn assert_rustfmt_clean(name: &str, text: &str) {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout", "--color", "never"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rustfmt runs (rustup component add rustfmt)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let formatted = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if formatted != text {
        let diff = similar::TextDiff::from_lines(text, &*formatted);
        panic!("{name} is not rustfmt-clean:\n{}", diff.unified_diff());
    }
}

#[test]
fn blog_renders_rustfmt_clean_on_every_driver() {
    for driver in Driver::ALL {
        for (name, text) in render_all(driver, &blog(), "Blog") {
            assert_rustfmt_clean(&format!("{driver} {name}"), &text);
        }
    }
}

#[test]
fn long_names_render_rustfmt_clean() {
    let long = "x".repeat(24);
    let mut table = blog();
    table.name = format!("blog_{long}");
    for column in &mut table.columns[1..3] {
        column.name = format!("{}_{long}", column.name);
    }
    for driver in Driver::ALL {
        let model = format!("Blog{}", "X".repeat(24));
        for (name, text) in render_all(driver, &table, &model) {
            assert_rustfmt_clean(&format!("{driver} {name}"), &text);
        }
    }
}

#[test]
fn every_kind_and_a_composite_key_render_rustfmt_clean() {
    for driver in Driver::ALL {
        for long in [0, 4] {
            let model = format!("BlogEntry{}", "Y".repeat(long));
            for (name, text) in render_all(driver, &everything(long), &model) {
                assert_rustfmt_clean(&format!("{driver} {long} {name}"), &text);
            }
        }
    }
}

#[test]
fn parent_rows_are_unique_per_call_and_removed() {
    let (book, parents) = book();
    for driver in Driver::ALL {
        let files = render_with(driver, &book, &parents, "Book");
        for (name, text) in &files {
            assert_rustfmt_clean(&format!("{driver} {name}"), text);
        }
        let test = &files.iter().find(|(n, _)| n == "test.rs").unwrap().1;
        let sqlobject = &files.iter().find(|(n, _)| n == "sqlobject.rs").unwrap().1;
        // The unique email and the natural key come from unique(), bound.
        assert!(
            test.contains("use tspawn_runtime::testing::unique;"),
            "{driver}\n{test}"
        );
        assert!(
            test.contains(".bind(format!(\"ü{n}\"))"),
            "{driver}\n{test}"
        );
        assert!(
            test.contains("let key = format!(\"ü{n}\");"),
            "{driver}\n{test}"
        );
        assert!(
            test.contains("author (email, name) VALUES ("),
            "{driver}\n{test}"
        );
        assert!(
            !test.contains("(email, name) VALUES ('x'"),
            "{driver}\n{test}"
        );
        if driver.has_returning() {
            assert!(test.contains("RETURNING id\""), "{driver}\n{test}");
            assert!(test.contains("RETURNING code\""), "{driver}\n{test}");
        } else {
            assert!(test.contains("done.last_insert_id() as i64"), "{test}");
            // A text key is the value just inserted, never last_insert_id.
            assert_eq!(test.matches("last_insert_id").count(), 1, "{test}");
            assert!(test.contains("\n    key\n}"), "{test}");
        }
        // Each test deletes the parent rows it made.
        assert!(test.contains("DELETE FROM author WHERE id = "), "{test}");
        assert!(
            test.contains("DELETE FROM language WHERE code = "),
            "{test}"
        );
        assert_eq!(test.matches("remove_parents(&db, ").count(), 5, "{test}");
        // The generated column is read, never written.
        assert!(
            sqlobject.contains("pub title_length: Option<i64>"),
            "{sqlobject}"
        );
        assert!(
            sqlobject.contains("row.try_get(\"title_length\")"),
            "{sqlobject}"
        );
        let new_book = sqlobject.split("pub struct NewBook").nth(1).unwrap();
        assert!(!new_book.split('}').next().unwrap().contains("title_length"));
        for line in sqlobject
            .lines()
            .filter(|l| l.contains("INSERT") || l.contains("UPDATE"))
        {
            let written = line.split("RETURNING").next().unwrap();
            assert!(!written.contains("title_length"), "{driver}: {line}");
        }
    }
}

/// Prints the blog files for a look: `cargo test --lib model::render_tests::show -- --nocapture --ignored`.
#[test]
#[ignore = "prints the rendered files"]
fn show() {
    let driver = match std::env::var("DRIVER").as_deref() {
        Ok("postgresql") => Driver::Postgresql,
        Ok("mysql") => Driver::Mysql,
        _ => Driver::Sqlite,
    };
    let table = match std::env::var("TABLE").as_deref() {
        Ok("everything") => everything(0),
        _ => blog(),
    };
    for (name, text) in render_all(driver, &table, "Blog") {
        println!("===== {name}\n{text}");
    }
}
