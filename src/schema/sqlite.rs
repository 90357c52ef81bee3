//! SQLite's catalog: `sqlite_schema` for the tables and the `pragma_*` table functions for a
//! table's columns, keys, unique indexes and foreign keys.
//!
//! SQLite keeps each column's declared type as written, so the kind is chosen from that text
//! (case-insensitively, after SQLite's own affinity rules where they apply):
//!
//! | declared type | kind |
//! |---|---|
//! | BOOL, BOOLEAN | Bool |
//! | DATETIME, TIMESTAMP | DateTime |
//! | DATE / TIME | Date / Time |
//! | DECIMAL(p,s), NUMERIC(p,s) | Decimal |
//! | UUID / JSON | Uuid / Json |
//! | BLOB, or no type | Bytes |
//! | anything containing INT | I64 (SQLite integers are 64-bit) |
//! | anything containing CHAR, CLOB or TEXT | String (`VARCHAR(n)` gives max_length n) |
//! | anything containing REAL, FLOA or DOUB | F64 |

use super::read::{placeholder_kind, Described};
use super::{Column, Computed, ForeignKey, Kind, Table};
use sqlx::SqliteConnection;

/// What a column without a mapping is told the driver supports.
const SUPPORTED: &str = "BOOLEAN, INTEGER (any type containing INT), REAL/FLOAT/DOUBLE, \
                         DECIMAL/NUMERIC, TEXT/CHAR/VARCHAR/CLOB, BLOB, DATE, TIME, \
                         DATETIME/TIMESTAMP, UUID, JSON";

/// Every table of the main schema but SQLite's own (`sqlite_%`).
pub(super) async fn tables(conn: &mut SqliteConnection) -> Result<Vec<String>, sqlx::Error> {
    let sql = "SELECT name FROM sqlite_schema WHERE type = 'table' \
               AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
    let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

/// The table `table` (spelled exactly as in the database).
pub(super) async fn describe(
    conn: &mut SqliteConnection,
    table: &str,
) -> Result<Described, sqlx::Error> {
    // table_xinfo, unlike table_info, lists generated columns: hidden = 2 (VIRTUAL) or 3
    // (STORED); 1 is a virtual table's hidden column, left out.
    type Info = (i64, String, String, bool, Option<String>, i64, i64);
    let sql = "SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden \
               FROM pragma_table_xinfo(?1) WHERE hidden <> 1 ORDER BY cid";
    let rows: Vec<Info> = sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;

    // A rowid table's single `INTEGER PRIMARY KEY` column is the rowid: numbered by SQLite.
    let sql = "SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?1";
    let without_rowid: Option<(bool,)> = sqlx::query_as(sql)
        .bind(table)
        .fetch_optional(&mut *conn)
        .await?;
    let without_rowid = without_rowid.is_some_and(|(wr,)| wr);
    let key_columns = rows.iter().filter(|row| row.5 > 0).count();

    let sql = "SELECT ii.name FROM pragma_index_list(?1) AS il, pragma_index_info(il.name) AS ii \
               WHERE il.\"unique\" = 1 AND il.origin <> 'pk' AND il.partial = 0 \
               AND (SELECT count(*) FROM pragma_index_info(il.name)) = 1";
    let unique: Vec<(Option<String>,)> = sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;
    let unique: Vec<String> = unique.into_iter().filter_map(|(name,)| name).collect();

    let foreign_keys = foreign_keys(conn, table).await?;

    // SQLite keeps a generated column's expression only in the table's CREATE TABLE text.
    let sql = "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1";
    let create: Option<(Option<String>,)> = sqlx::query_as(sql)
        .bind(table)
        .fetch_optional(&mut *conn)
        .await?;
    let create = create.and_then(|(sql,)| sql).unwrap_or_default();

    let mut columns = Vec::with_capacity(rows.len());
    let mut unmapped = Vec::with_capacity(rows.len());
    let mut key: Vec<(i64, usize)> = Vec::new();
    for (index, (_, name, declared, not_null, default, pk, hidden)) in rows.into_iter().enumerate()
    {
        let generated = match hidden {
            2 | 3 => generation(&create, &name).map(|expression| Computed {
                expression,
                stored: hidden == 3,
            }),
            _ => None,
        };
        let kind = kind(&declared);
        let params = type_params(&declared);
        let rowid = pk == 1
            && key_columns == 1
            && !without_rowid
            && declared.trim().eq_ignore_ascii_case("INTEGER");
        if pk > 0 {
            key.push((pk, index));
        }
        let max_length = match kind {
            Some(Kind::String) if declared.to_ascii_uppercase().contains("CHAR") => {
                params.first().copied()
            }
            _ => None,
        };
        let numeric = match (kind, params.as_slice()) {
            (Some(Kind::Decimal), [precision, scale]) => Some((*precision, *scale)),
            (Some(Kind::Decimal), [precision]) => Some((*precision, 0)),
            _ => None,
        };
        unmapped.push(kind.is_none());
        columns.push(Column {
            foreign_key: foreign_keys
                .iter()
                .find(|(from, _)| *from == name)
                .map(|(_, target)| target.clone()),
            unique: unique.contains(&name),
            name,
            sql_type: declared,
            kind: kind.unwrap_or_else(placeholder_kind),
            // A key column never holds NULL on the other servers; SQLite's legacy NULLs in
            // non-integer keys are not modelled.
            nullable: !not_null && pk == 0,
            auto_increment: rowid,
            default,
            max_length,
            numeric,
            generated,
        });
    }
    key.sort_unstable();
    Ok(Described {
        table: Table {
            name: table.to_owned(),
            columns,
            primary_key: key.into_iter().map(|(_, index)| index).collect(),
        },
        unmapped,
        supported: SUPPORTED,
    })
}

/// The single-column foreign keys of `table`: (column, target). A key declared without its
/// target column (`REFERENCES blog`) points at the parent's single-column primary key.
async fn foreign_keys(
    conn: &mut SqliteConnection,
    table: &str,
) -> Result<Vec<(String, ForeignKey)>, sqlx::Error> {
    let sql = "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) AS fk \
               WHERE (SELECT count(*) FROM pragma_foreign_key_list(?1) AS o WHERE o.id = fk.id) = 1";
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;
    let mut keys = Vec::with_capacity(rows.len());
    for (parent, from, to) in rows {
        let column = match to {
            Some(to) => to,
            None => {
                let sql = "SELECT name FROM pragma_table_info(?1) WHERE pk > 0";
                let key: Vec<(String,)> = sqlx::query_as(sql)
                    .bind(&parent)
                    .fetch_all(&mut *conn)
                    .await?;
                match <[_; 1]>::try_from(key) {
                    Ok([(name,)]) => name,
                    Err(_) => continue,
                }
            }
        };
        keys.push((
            from,
            ForeignKey {
                table: parent,
                column,
            },
        ));
    }
    Ok(keys)
}

/// The expression of the generated column `column` in the table's `CREATE TABLE` text: what
/// is inside the parentheses after its `AS` (`[GENERATED ALWAYS] AS (expr)`). `None` when it
/// cannot be found (the column then reads as a plain one).
fn generation(create: &str, column: &str) -> Option<String> {
    let open = create.find('(')?;
    let definitions = split_top_level(&create[open + 1..], ',');
    definitions.into_iter().find_map(|definition| {
        let definition = definition.trim_start();
        let (name, rest) = leading_name(definition)?;
        if !name.eq_ignore_ascii_case(column) {
            return None;
        }
        // The `AS (` outside quotes and parentheses.
        let words = split_top_level(rest, ' ');
        let mut offset = 0;
        for word in &words {
            let at = rest[offset..].find(word.as_str())? + offset;
            offset = at + word.len();
            let upper = word.to_ascii_uppercase();
            if upper == "AS" {
                let tail = rest[offset..].trim_start();
                let inner = tail.strip_prefix('(')?;
                let body = split_top_level(inner, ')').into_iter().next()?;
                return Some(body.trim().to_owned());
            }
            if let Some(inner) = upper.strip_prefix("AS(").map(|_| &word[3..]) {
                let body = split_top_level(inner, ')').into_iter().next()?;
                return Some(body.trim().to_owned());
            }
        }
        None
    })
}

/// A column definition's name (`"BlogEntry"`, `[a b]`, `` `x` ``, `total`) and the rest.
fn leading_name(definition: &str) -> Option<(String, &str)> {
    let close = match definition.chars().next()? {
        '"' => '"',
        '`' => '`',
        '[' => ']',
        _ => {
            let end = definition
                .find(|c: char| c.is_whitespace() || c == '(')
                .unwrap_or(definition.len());
            return Some((definition[..end].to_owned(), &definition[end..]));
        }
    };
    let end = definition[1..].find(close)? + 1;
    Some((definition[1..end].to_owned(), &definition[end + 1..]))
}

/// `text` cut at each `separator` outside quotes and parentheses; a `)` closing a parenthesis
/// opened before `text` ends the last piece (so a table body stops at its closing `)`).
fn split_top_level(text: &str, separator: char) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q || (q == ']' && c == ']') => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' | '`' => quote = Some(c),
                '[' => quote = Some(']'),
                '(' => depth += 1,
                ')' if depth == 0 => break,
                ')' => depth -= 1,
                _ if c == separator && depth == 0 => {
                    pieces.push(String::new());
                    continue;
                }
                _ => {}
            },
        }
        pieces.last_mut().unwrap().push(c);
    }
    pieces.retain(|p| !p.trim().is_empty());
    pieces
}

/// The kind of a declared type, or `None` when it has no mapping.
fn kind(declared: &str) -> Option<Kind> {
    let upper = declared.to_ascii_uppercase();
    let base = upper.split('(').next().unwrap_or("").trim();
    Some(match base {
        "BOOL" | "BOOLEAN" => Kind::Bool,
        "DATETIME" | "TIMESTAMP" => Kind::DateTime,
        "DATE" => Kind::Date,
        "TIME" => Kind::Time,
        "DECIMAL" | "NUMERIC" => Kind::Decimal,
        "UUID" => Kind::Uuid,
        "JSON" => Kind::Json,
        "BLOB" | "" => Kind::Bytes,
        _ if base.contains("INT") => Kind::I64,
        _ if ["CHAR", "CLOB", "TEXT"].iter().any(|t| base.contains(t)) => Kind::String,
        _ if ["REAL", "FLOA", "DOUB"].iter().any(|t| base.contains(t)) => Kind::F64,
        _ => return None,
    })
}

/// The numbers in a declared type's parentheses: `DECIMAL(10, 2)` → `[10, 2]`.
fn type_params(declared: &str) -> Vec<u32> {
    let Some((_, rest)) = declared.split_once('(') else {
        return vec![];
    };
    let inside = rest.split(')').next().unwrap_or("");
    inside
        .split(',')
        .map(|n| n.trim().parse())
        .collect::<Result<_, _>>()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_map_by_name_then_affinity() {
        for (declared, expected) in [
            ("boolean", Some(Kind::Bool)),
            ("INTEGER", Some(Kind::I64)),
            ("BIGINT UNSIGNED", Some(Kind::I64)),
            ("VARCHAR(20)", Some(Kind::String)),
            ("NVARCHAR(20)", Some(Kind::String)),
            ("DOUBLE PRECISION", Some(Kind::F64)),
            ("DECIMAL(10,2)", Some(Kind::Decimal)),
            ("DATETIME", Some(Kind::DateTime)),
            ("TIMESTAMP", Some(Kind::DateTime)),
            ("date", Some(Kind::Date)),
            ("TIME", Some(Kind::Time)),
            ("", Some(Kind::Bytes)),
            ("GEOMETRY", None),
            ("MONEY", None),
        ] {
            assert_eq!(kind(declared), expected, "{declared}");
        }
    }

    #[test]
    fn generation_expressions_are_read_from_the_create_table_text() {
        let create = "CREATE TABLE \"o l\" (\n  \"q\" INTEGER NOT NULL DEFAULT (1),\n  \
                      p DECIMAL(10,2),\n  note TEXT DEFAULT 'a, (b' ,\n  \
                      total DECIMAL(12,2) GENERATED ALWAYS AS (q * (p + 1)) STORED,\n  \
                      [v w] INT AS(length(note)),\n  PRIMARY KEY (q))";
        assert_eq!(generation(create, "total").as_deref(), Some("q * (p + 1)"));
        assert_eq!(generation(create, "v w").as_deref(), Some("length(note)"));
        assert_eq!(generation(create, "TOTAL").as_deref(), Some("q * (p + 1)"));
        assert_eq!(generation(create, "q"), None);
        assert_eq!(generation(create, "note"), None);
    }

    #[test]
    fn parameters_are_read_from_the_parentheses() {
        assert_eq!(type_params("DECIMAL(10, 2)"), [10, 2]);
        assert_eq!(type_params("VARCHAR(200)"), [200]);
        assert!(type_params("TEXT").is_empty());
        assert!(type_params("VARCHAR(x)").is_empty());
    }
}
