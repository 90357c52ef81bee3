//! The `use` lines of the generated files: only what each file uses, sorted as rustfmt
//! sorts them (tspawn never runs rustfmt).

use super::view::{Builder, View};
use crate::schema::{Column, Kind, Role};

impl Builder<'_> {
    /// The `use` lines of the sqlobject file, sorted as rustfmt sorts them.
    pub(super) fn imports(&self) -> Vec<String> {
        let columns = &self.table.columns;
        let uses = |kind: Kind| columns.iter().any(|c| c.kind == kind);
        let stamps = columns
            .iter()
            .any(|c| matches!(c.role(), Role::CreatedAt | Role::UpdatedAt));
        let mut chrono = Vec::new();
        if uses(Kind::DateTime) {
            chrono.push("DateTime");
        }
        for kind in [Kind::Date, Kind::NaiveDateTime, Kind::Time] {
            if uses(kind) {
                chrono.push(kind.rust_type());
            }
        }
        if uses(Kind::DateTime) || stamps {
            chrono.push("Utc");
        }
        let mut imports = Vec::new();
        if !chrono.is_empty() {
            imports.push(format!("tspawn_runtime::chrono::{}", braced(&chrono)));
        }
        imports.push("tspawn_runtime::db::{Page, Row}".to_owned());
        imports.push("tspawn_runtime::prelude::*".to_owned());
        if uses(Kind::Decimal) {
            imports.push("tspawn_runtime::rust_decimal::Decimal".to_owned());
        }
        if uses(Kind::Json) {
            imports.push("tspawn_runtime::serde_json::Value as JsonValue".to_owned());
        }
        imports.push("tspawn_runtime::sqlx::{self, FromRow, Row as _}".to_owned());
        if uses(Kind::Uuid) {
            imports.push("tspawn_runtime::uuid::Uuid".to_owned());
        }
        imports
    }

    pub(super) fn test_imports(&self, view: &View) -> Vec<String> {
        let columns: Vec<&Column> = self.settable().collect();
        let uses = |kinds: &[Kind]| columns.iter().any(|c| kinds.contains(&c.kind));
        let mut chrono = Vec::new();
        if uses(&[Kind::DateTime, Kind::NaiveDateTime]) {
            chrono.push("DateTime");
        }
        if uses(&[Kind::Date]) {
            chrono.push("NaiveDate");
        }
        if uses(&[Kind::Time]) {
            chrono.push("NaiveTime");
        }
        if uses(&[Kind::DateTime, Kind::NaiveDateTime]) {
            chrono.push("Utc");
        }
        let mut imports = vec![format!(
            "{}::models::{}::{}",
            view.crate_name,
            view.module,
            braced(&[view.model.as_str(), view.new_model.as_str()])
        )];
        if !chrono.is_empty() {
            imports.push(format!("tspawn_runtime::chrono::{}", braced(&chrono)));
        }
        imports.push("tspawn_runtime::db::Page".to_owned());
        if uses(&[Kind::Decimal]) {
            imports.push("tspawn_runtime::rust_decimal::Decimal".to_owned());
        }
        if uses(&[Kind::Json]) {
            imports.push("tspawn_runtime::serde_json::json".to_owned());
        }
        let unsets = view.lock.as_ref().is_some_and(|l| l.unset.is_some());
        if !view.tests.parents.is_empty() || unsets {
            imports.push("tspawn_runtime::sqlx".to_owned());
        }
        if view.tests.unique {
            imports.push("tspawn_runtime::testing::unique".to_owned());
        }
        imports.push("tspawn_runtime::tokio::sync::Mutex".to_owned());
        if uses(&[Kind::Uuid]) {
            imports.push("tspawn_runtime::uuid::Uuid".to_owned());
        }
        imports.push("tspawn_runtime::{testing, Db, Error}".to_owned());
        imports
    }
}

/// `{A, B}` (sorted, as rustfmt sorts a `use` list) or `A` alone.
pub(super) fn braced(names: &[&str]) -> String {
    let mut names = names.to_vec();
    names.sort_unstable();
    match names.as_slice() {
        [one] => (*one).to_owned(),
        many => format!("{{{}}}", many.join(", ")),
    }
}
