//! The pieces of the generated model tests (templates/model/test.rs.jinja): sample rows,
//! the changes an update writes, and the calls whose layout depends on the names.

use super::crud::is_copy;
use super::layout::chain;
use super::parents::Parent;
use super::samples::{sample, Variant};
use super::view::{is_key, Builder};
use crate::schema::{Column, Kind};
use serde::Serialize;

/// Lines of the generated test file.
#[derive(Debug, Default, Serialize)]
pub struct Tests {
    /// The field lines of the `NewBlog` literal `sample(n)` returns.
    pub sample: Vec<String>,
    /// Whether `sample` takes a seed `n` (for unique and key columns).
    pub seeded: bool,
    /// Whether the test has `unique()`: for `sample`'s seed or for the parent rows.
    pub unique: bool,
    /// The field lines of `settable(row)`: a row's `NewBlog` part.
    pub settable: Vec<String>,
    /// Assignments changing every column an update writes (`row.title = ...;`).
    pub changes: Vec<String>,
    /// Assignments setting every nullable column callers set to `None`.
    pub nulls: Vec<String>,
    /// `sample(unique())`, `sample(&db).await`: how a test gets a new row.
    pub sample_call: String,
    /// `fn sample(n: i64) -> NewBlog {`, `async fn sample(db: &Db) -> NewBlog {`.
    pub sample_signature: String,
    /// Rows of the tables the foreign keys point at, inserted with plain SQL.
    pub parents: Vec<Parent>,
    /// The body of `remove_parents(db, new)`, deleting those rows again; `None` without them.
    pub remove_parents: Option<String>,
    /// Statements whose layout depends on the names.
    pub create_new: String,
    /// `create_new` binding `mut row` when the update test changes it.
    pub create_mut_new: String,
    /// `create_new` binding `mut row`.
    pub create_always_mut: String,
    pub create_in_loop: String,
    pub count: String,
    pub count_before: String,
    pub list_all: String,
    pub list_two: String,
    pub get_row: String,
    pub get_updated: String,
    pub remove_row: String,
    pub remove_again: String,
    pub remove_created: String,
    /// Timestamps an update moves forward (`updated_at`). A nullable one compares as an
    /// `Option` (`Some(later) >= Some(earlier)`): create and update both set it.
    pub updated_at: Vec<String>,
    /// Nullable timestamps create sets (`created_at`, `updated_at`): the test checks they
    /// are `Some`.
    pub stamped_nullable: Vec<String>,
    /// Which sample helpers the test file needs: `at` (date-times), `date`, `time`.
    pub helpers: Vec<&'static str>,
    /// A row's key as a value that sorts as the database sorts it (`row.id`), when it does.
    pub order_key: Option<String>,
}

impl Builder<'_> {
    /// Whether samples of `column` must differ per row (a unique or key column).
    fn distinct(&self, column: &Column) -> bool {
        column.unique || is_key(self.table, column)
    }

    pub(super) fn tests_need_seed(&self) -> bool {
        self.settable().any(|c| self.distinct(c))
    }

    pub(super) fn tests(&self, model: &str) -> Tests {
        let seeded = self.tests_need_seed();
        let mut tests = Tests {
            seeded,
            ..Tests::default()
        };
        for column in self.settable() {
            let field = column.field();
            let first = match self.parent_function(column) {
                Some(function) if column.nullable => format!("Some({function}(db).await)"),
                Some(function) => format!("{function}(db).await"),
                None => self.sample_of(column, Variant::First),
            };
            tests.sample.push(format!("{field}: {first},"));
            let value = if is_copy(column.kind) {
                format!("row.{field}")
            } else {
                format!("row.{field}.clone()")
            };
            tests.settable.push(format!("{field}: {value},"));
            let parent = column.foreign_key.is_some();
            if !is_key(self.table, column) && !column.unique && !parent {
                let second = self.sample_of(column, Variant::Second);
                tests.changes.push(format!("row.{field} = {second};"));
            }
            if column.nullable {
                tests.nulls.push(format!("new.{field} = None;"));
            }
        }
        for (helper, kinds) in [
            ("at", &[Kind::DateTime, Kind::NaiveDateTime][..]),
            ("date", &[Kind::Date][..]),
            ("time", &[Kind::Time][..]),
        ] {
            if self.settable().any(|c| kinds.contains(&c.kind)) {
                tests.helpers.push(helper);
            }
        }
        tests.updated_at = self
            .table
            .columns
            .iter()
            .filter(|c| c.role() == crate::schema::Role::UpdatedAt)
            .map(Column::field)
            .collect();
        tests.stamped_nullable = self
            .table
            .columns
            .iter()
            .filter(|c| c.nullable && c.kind.is_timestamp())
            .filter(|c| {
                use crate::schema::Role::{CreatedAt, UpdatedAt};
                matches!(c.role(), CreatedAt | UpdatedAt)
            })
            .map(Column::field)
            .collect();
        let key_fields: Vec<String> = self.key().map(Column::field).collect();
        if self.key().all(|c| orderable(c.kind)) {
            tests.order_key = Some(match key_fields.as_slice() {
                [one] => format!("row.{one}"),
                many => format!(
                    "({})",
                    many.iter()
                        .map(|f| format!("row.{f}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        let key = |owner: &str| -> String {
            let args: Vec<String> = self
                .key()
                .map(|c| {
                    let field = c.field();
                    match is_copy(c.kind) {
                        true => format!("{owner}.{field}"),
                        false => format!("&{owner}.{field}"),
                    }
                })
                .collect();
            args.join(", ")
        };
        // `LEAD MODEL::CALL.await.unwrap();` at an indent, laid out as rustfmt would.
        let stmt = |indent: usize, lead: &str, call: String| {
            let links = [
                format!("{model}::{call}"),
                ".await".to_owned(),
                ".unwrap()".to_owned(),
            ];
            chain(indent, lead, &links, ";")
        };
        tests.parents = self.parents();
        tests.remove_parents = self.remove_parents();
        tests.unique = seeded || tests.parents.iter().any(|p| p.body.contains("unique()"));
        let db = if tests.parents.is_empty() { "" } else { "&db" };
        let args: Vec<&str> = [db, if seeded { "unique()" } else { "" }]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let wait = if db.is_empty() { "" } else { ".await" };
        tests.sample_call = format!("sample({}){wait}", args.join(", "));
        let params: Vec<&str> = [
            if db.is_empty() { "" } else { "db: &Db" },
            if seeded { "n: i64" } else { "" },
        ]
        .into_iter()
        .filter(|a| !a.is_empty())
        .collect();
        let asynchronous = if db.is_empty() { "" } else { "async " };
        tests.sample_signature = format!(
            "{asynchronous}fn sample({}) -> New{model} {{",
            params.join(", ")
        );
        let (row, updated) = (key("row"), key("updated"));
        let create = "create(&db, &new)".to_owned();
        tests.create_new = stmt(4, "let row = ", create.clone());
        let lead = if tests.changes.is_empty() {
            "let row = "
        } else {
            "let mut row = "
        };
        tests.create_mut_new = stmt(4, lead, create.clone());
        tests.create_always_mut = stmt(4, "let mut row = ", create.clone());
        tests.create_in_loop = stmt(8, "let row = ", create);
        tests.get_row = stmt(4, "let got = ", format!("get(&db, {row})"));
        tests.get_updated = stmt(4, "let got = ", format!("get(&db, {updated})"));
        tests.remove_row = stmt(4, "", format!("remove(&db, {row})"));
        tests.remove_created = stmt(8, "", format!("remove(&db, {row})"));
        tests.count = stmt(4, "let count = ", "count(&db)".to_owned());
        tests.count_before = stmt(4, "let before = ", "count(&db)".to_owned());
        tests.list_all = stmt(8, "let rows = ", "list(&db, page)".to_owned());
        tests.list_two = stmt(
            8,
            "let page = ",
            "list(&db, Page::new(number, 2))".to_owned(),
        );
        let again = [format!("{model}::remove(&db, {row})"), ".await".to_owned()];
        tests.remove_again = chain(4, "let again = ", &again, ";");
        tests
    }

    /// A sample value, wrapped in `Some` for a nullable column.
    fn sample_of(&self, column: &Column, variant: Variant) -> String {
        let value = sample(self.driver, column, variant, self.distinct(column));
        match column.nullable {
            true => format!("Some({value})"),
            false => value,
        }
    }
}

/// Whether a kind's values sort the same in Rust and in SQL (integers), so the test can check
/// the order of `list`.
pub fn orderable(kind: Kind) -> bool {
    kind.is_integer()
}
