//! The bodies of the generated CRUD functions, laid out for the app's driver: which values are
//! bound in which order, RETURNING or MySQL's read-back, the key's parameters.

use super::layout::{chain, string_literal};
use super::view::{is_key, Builder};
use crate::driver::Driver;
use crate::schema::{Column, Kind, Role};

/// Whether values of `kind` are `Copy` (bound by value; others are bound by reference).
pub fn is_copy(kind: Kind) -> bool {
    !matches!(kind, Kind::String | Kind::Bytes | Kind::Json)
}

impl Builder<'_> {
    /// `id: i64`, `lang: &str, number: i32`: how `get` and `remove` take the key.
    pub(super) fn key_params(&self) -> Vec<String> {
        self.key()
            .map(|c| {
                let ty = match c.kind {
                    Kind::String => "&str",
                    Kind::Bytes => "&[u8]",
                    Kind::Json => "&JsonValue",
                    kind => kind.rust_type(),
                };
                format!("{}: {ty}", c.field())
            })
            .collect()
    }

    /// The key in doc comments: `` `id` ``, `` `(lang, number)` ``.
    pub(super) fn key_doc(&self) -> String {
        let names: Vec<String> = self.key().map(|c| format!("`{}`", c.name)).collect();
        names.join(", ")
    }

    /// The value bound for a column, read from `owner` (`new`, `self`).
    pub(super) fn bind_value(&self, owner: &str, column: &Column) -> String {
        let field = format!("{owner}.{}", column.field());
        match column.kind {
            // SQLite has no decimal type: decimals go in as text.
            Kind::Decimal if self.driver == Driver::Sqlite && column.nullable => {
                format!("{field}.map(|d| d.to_string())")
            }
            Kind::Decimal if self.driver == Driver::Sqlite => format!("{field}.to_string()"),
            kind if is_copy(kind) => field,
            _ => format!("&{field}"),
        }
    }

    /// `now` for the timestamps the model sets, as the column's type wants it.
    fn now(column: &Column) -> String {
        match column.kind {
            Kind::NaiveDateTime => "now.naive_utc()".to_owned(),
            _ => "now".to_owned(),
        }
    }

    /// The key read from `owner` (`self`), as the arguments of `get`.
    fn key_args(&self, owner: &str) -> Vec<String> {
        self.key().map(|c| self.key_arg(owner, c)).collect()
    }

    fn key_arg(&self, owner: &str, column: &Column) -> String {
        let field = format!("{owner}.{}", column.field());
        if is_copy(column.kind) {
            field
        } else {
            format!("&{field}")
        }
    }

    /// The key as errors show it (`id = 3`, `lang = "en", number = 2`), read from the
    /// parameters (`owner` empty) or from `self`.
    /// Laid out at `indent` after `lead` (`let key = `), followed by `tail`.
    pub(super) fn key_text(&self, owner: &str, indent: usize, lead: &str, tail: &str) -> String {
        let mut pattern = Vec::new();
        let mut args = Vec::new();
        for column in self.key() {
            let field = column.field();
            let spec = if is_copy(column.kind) { "" } else { ":?" };
            let sql = column.name.replace('{', "{{").replace('}', "}}");
            // Plain parameters go inside the braces (clippy's uninlined_format_args).
            if owner.is_empty() && !field.starts_with("r#") {
                pattern.push(format!("{sql} = {{{field}{spec}}}"));
            } else {
                pattern.push(format!("{sql} = {{{spec}}}"));
                let dot = if owner.is_empty() {
                    String::new()
                } else {
                    format!("{owner}.")
                };
                args.push(format!("{dot}{field}"));
            }
        }
        format_call(
            indent,
            lead,
            &string_literal(&pattern.join(", ")),
            &args,
            tail,
        )
    }

    /// The body of `stale_or_missing`: get the row again to tell which.
    pub(super) fn stale_or_missing(&self, revision: &str) -> String {
        let mut args = vec!["db".to_owned()];
        args.extend(self.key_args("self"));
        let get = [
            format!("Self::get({})", args.join(", ")),
            ".await".to_owned(),
        ];
        let stale = format!("Error::stale_revision(TABLE, key, {revision})");
        // rustfmt puts an arm too long for one line in a block.
        let mut some = format!("            Some(_) => {stale},");
        if some.len() > 100 {
            some = format!("            Some(_) => {{\n                {stale}\n            }}");
        }
        [
            "        let key = self.key();".to_owned(),
            chain(8, "let found = ", &get, "?;"),
            "        Ok(match found {".to_owned(),
            some,
            "            None => not_found(key),".to_owned(),
            "        })".to_owned(),
        ]
        .join("\n")
    }

    /// The body of `create`: insert the caller's columns, the timestamps and revision 1, and
    /// return the row as stored.
    pub(super) fn create(&self) -> String {
        let mut values = Vec::new();
        let mut stamped = false;
        for column in &self.table.columns {
            match column.role() {
                Role::Plain => values.push(self.bind_value("new", column)),
                Role::CreatedAt | Role::UpdatedAt => {
                    stamped = true;
                    values.push(Self::now(column));
                }
                Role::Generated | Role::LockRevision => {}
            }
        }
        let mut body = Vec::new();
        if stamped {
            body.push("        let now = Utc::now();".to_owned());
        }
        if self.driver.has_returning() {
            body.push(chain(
                8,
                "let row = ",
                &links("sqlx::query_as(INSERT)", &values, ".fetch_one(db)"),
                "?;",
            ));
            body.push("        Ok(row)".to_owned());
            return body.join("\n");
        }
        // The insert's result is needed only for an auto-numbered key.
        let numbered = self.key().any(|c| c.auto_increment);
        let lead = if numbered { "let done = " } else { "" };
        let insert = links("sqlx::query(INSERT)", &values, ".execute(db)");
        body.push(chain(8, lead, &insert, "?;"));
        body.push("        // MySQL has no RETURNING: read the row back by its key.".to_owned());
        let mut keys = Vec::new();
        for column in self.key() {
            if column.auto_increment {
                let cast = match column.kind {
                    Kind::U64 => String::new(),
                    kind => format!(" as {}", kind.rust_type()),
                };
                body.push(format!("        let id = done.last_insert_id(){cast};"));
                keys.push("id".to_owned());
            } else {
                keys.push(self.key_arg("new", column));
            }
        }
        let get = links("sqlx::query_as(GET)", &keys, ".fetch_one(db)");
        body.push(chain(8, "let row = ", &get, "?;"));
        body.push("        Ok(row)".to_owned());
        body.join("\n")
    }

    /// The body of `get`.
    pub(super) fn get(&self) -> String {
        let params: Vec<String> = self.key().map(Column::field).collect();
        let fetch = links("sqlx::query_as(GET)", &params, ".fetch_optional(db)");
        format!("{}\n        Ok(row)", chain(8, "let row = ", &fetch, "?;"))
    }

    /// The body of `list`.
    pub(super) fn list(&self) -> String {
        let page = ["page.limit()".to_owned(), "page.offset()".to_owned()];
        let fetch = links("sqlx::query_as(LIST)", &page, ".fetch_all(db)");
        format!(
            "{}\n        Ok(rows)",
            chain(8, "let rows = ", &fetch, "?;")
        )
    }

    /// The body of `update`, or `None` when the table has nothing to update.
    pub(super) fn update(&self) -> Option<String> {
        let mut values = Vec::new();
        let mut stamped = false;
        let mut lock = None;
        for column in &self.table.columns {
            match column.role() {
                Role::Plain if is_key(self.table, column) => {}
                Role::Plain => values.push(self.bind_value("self", column)),
                Role::UpdatedAt => {
                    stamped = true;
                    values.push(Self::now(column));
                }
                Role::LockRevision => lock = Some(column),
                Role::Generated | Role::CreatedAt => {}
            }
        }
        if values.is_empty() && lock.is_none() {
            return None;
        }
        values.extend(self.key_args("self"));
        if let Some(lock) = lock {
            values.push(format!("self.{}", lock.field()));
        }
        let mut body = Vec::new();
        if stamped {
            body.push("        let now = Utc::now();".to_owned());
        }
        let missing = match lock {
            Some(_) => "Err(self.stale_or_missing(db).await?)",
            None => "Err(not_found(self.key()))",
        };
        if self.driver.has_returning() {
            body.push(chain(
                8,
                "let row = ",
                &links("sqlx::query_as(UPDATE)", &values, ".fetch_optional(db)"),
                "?;",
            ));
            body.push(format!(
                "        match row {{\n            Some(row) => Ok(row),\n            None => {missing},\n        }}"
            ));
        } else {
            body.push(chain(
                8,
                "let done = ",
                &links("sqlx::query(UPDATE)", &values, ".execute(db)"),
                "?;",
            ));
            body.push(format!(
                "        if done.rows_affected() == 0 {{\n            return {missing};\n        }}"
            ));
            body.push("        // MySQL has no RETURNING: read the row back.".to_owned());
            let mut args = vec!["db".to_owned()];
            args.extend(self.key_args("self"));
            body.push(get_row(&args));
            body.push("        row.ok_or_else(|| not_found(self.key()))".to_owned());
        }
        Some(body.join("\n"))
    }

    /// The body of `remove`.
    pub(super) fn remove(&self) -> String {
        let params: Vec<String> = self.key().map(Column::field).collect();
        let delete = links("sqlx::query(DELETE)", &params, ".execute(db)");
        let key = self.key_text("", 12, "let key = ", ";");
        format!(
            "{}\n        if done.rows_affected() == 0 {{\n{key}\n            return Err(not_found(key));\n        }}\n        Ok(())",
            chain(8, "let done = ", &delete, "?;")
        )
    }
}

/// `LEAD format!("PATTERN", ARGS)TAIL` at `indent`, as rustfmt lays it out: on one line when
/// it fits, else after the `=` of a `let`, else the literal and then the arguments on lines
/// of their own.
fn format_call(indent: usize, lead: &str, pattern: &str, args: &[String], tail: &str) -> String {
    let pad = " ".repeat(indent);
    let mut inside = vec![pattern.to_owned()];
    inside.extend(args.iter().cloned());
    let call = format!("format!({})", inside.join(", "));
    let one_line = format!("{pad}{lead}{call}{tail}");
    if one_line.len() <= 100 {
        return one_line;
    }
    if !lead.is_empty() && indent + 4 + call.len() + tail.len() <= 100 {
        return format!("{pad}{}\n{pad}    {call}{tail}", lead.trim_end());
    }
    let mut out = format!("{pad}{lead}format!(\n{pad}    {pattern}");
    if !args.is_empty() {
        out.push_str(&format!(",\n{pad}    {}", args.join(", ")));
    }
    out.push_str(&format!("\n{pad}){tail}"));
    out
}

/// `let row = Self::get(ARGS).await?;`, laid out as rustfmt would.
fn get_row(args: &[String]) -> String {
    let get = [
        format!("Self::get({})", args.join(", ")),
        ".await".to_owned(),
    ];
    chain(8, "let row = ", &get, "?;")
}

/// The chain `head`, then `.bind(..)` per value, then `fetch`, then `.await`.
pub fn links(head: &str, values: &[String], fetch: &str) -> Vec<String> {
    let mut links = vec![head.to_owned()];
    links.extend(values.iter().map(|v| format!(".bind({v})")));
    links.push(fetch.to_owned());
    links.push(".await".to_owned());
    links
}
