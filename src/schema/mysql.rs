//! MySQL's and MariaDB's catalog, in the connection's `DATABASE()`: `information_schema`
//! `COLUMNS`, `KEY_COLUMN_USAGE` (the primary key in key order, foreign keys), `STATISTICS`
//! (unique indexes) and, on MariaDB, `CHECK_CONSTRAINTS` (its JSON is a LONGTEXT checked by
//! `json_valid`). Every value is cast to CHAR or SIGNED: the two servers disagree on the
//! catalog's column types.
//!
//! | `COLUMN_TYPE` | kind |
//! |---|---|
//! | tinyint(1) (BOOL) | Bool |
//! | tinyint / smallint / mediumint, int / bigint | I8 / I16 / I32 / I64 |
//! | the same `unsigned` | U8 / U16 / U32 / U32 / U64 |
//! | float / double | F32 / F64 |
//! | decimal(p,s) | Decimal |
//! | char, varchar, tinytext, text, mediumtext, longtext | String |
//! | binary(16) | Uuid (sqlx's encoding of a UUID on MySQL) |
//! | binary, varbinary, tinyblob, blob, mediumblob, longblob | Bytes |
//! | date / time / datetime, timestamp | Date / Time / DateTime |
//! | json (MariaDB: longtext CHECK (json_valid(col))) | Json |
//!
//! Generated columns (EXTRA `VIRTUAL GENERATED` / `STORED GENERATED`) keep
//! `GENERATION_EXPRESSION`.
//!
//! `sql_type` is `COLUMN_TYPE` as reported (`varchar(20)`, `int(10) unsigned`), but `json`
//! for MariaDB's JSON, so written back it is JSON again.

use super::read::{placeholder_kind, Described};
use super::{Column, Computed, ForeignKey, Kind, Table};
use sqlx::MySqlConnection;

/// What a column without a mapping is told the driver supports.
const SUPPORTED: &str = "tinyint(1)/bool, tinyint, smallint, mediumint, int, bigint (signed or \
                         unsigned), float, double, decimal, char, varchar, tinytext, text, \
                         mediumtext, longtext, binary(16) (uuid), binary, varbinary, blob \
                         (tiny/medium/long), date, time, datetime, timestamp, json";

/// The base tables of the current database.
pub(super) async fn tables(conn: &mut MySqlConnection) -> Result<Vec<String>, sqlx::Error> {
    let sql = "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
               WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'";
    let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

/// One row of `information_schema.COLUMNS`, cast to plain types.
type Info = (
    String,         // COLUMN_NAME
    String,         // DATA_TYPE
    String,         // COLUMN_TYPE
    String,         // IS_NULLABLE
    Option<String>, // COLUMN_DEFAULT
    String,         // EXTRA
    Option<i64>,    // CHARACTER_MAXIMUM_LENGTH
    Option<i64>,    // NUMERIC_PRECISION
    Option<i64>,    // NUMERIC_SCALE
    Option<String>, // GENERATION_EXPRESSION (NULL or empty unless generated)
);

/// The table `table` of the current database (spelled exactly as in the database).
pub(super) async fn describe(
    conn: &mut MySqlConnection,
    table: &str,
) -> Result<Described, sqlx::Error> {
    let (version,): (String,) = sqlx::query_as("SELECT CAST(VERSION() AS CHAR)")
        .fetch_one(&mut *conn)
        .await?;
    let mariadb = version.contains("MariaDB");
    let sql = "SELECT CAST(COLUMN_NAME AS CHAR), CAST(DATA_TYPE AS CHAR), \
               CAST(COLUMN_TYPE AS CHAR), CAST(IS_NULLABLE AS CHAR), \
               CAST(COLUMN_DEFAULT AS CHAR), CAST(EXTRA AS CHAR), \
               CAST(CHARACTER_MAXIMUM_LENGTH AS SIGNED), CAST(NUMERIC_PRECISION AS SIGNED), \
               CAST(NUMERIC_SCALE AS SIGNED), CAST(GENERATION_EXPRESSION AS CHAR) \
               FROM information_schema.COLUMNS \
               WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION";
    let rows: Vec<Info> = sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;

    let sql = "SELECT CAST(COLUMN_NAME AS CHAR) FROM information_schema.KEY_COLUMN_USAGE \
               WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
               AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION";
    let key: Vec<(String,)> = sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;

    // Unique indexes on one whole column (not a prefix, not an expression).
    let sql = "SELECT CAST(INDEX_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), CAST(SUB_PART IS NULL AS SIGNED) \
               FROM information_schema.STATISTICS \
               WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
               AND NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY'";
    let parts: Vec<(String, Option<String>, i64)> = sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;
    let unique: Vec<String> = single_column(&parts, |(index, ..)| index)
        .filter(|(_, _, whole)| *whole == 1)
        .filter_map(|(_, column, _)| column.clone())
        .collect();

    let sql = "SELECT CAST(CONSTRAINT_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), \
               CAST(REFERENCED_TABLE_NAME AS CHAR), CAST(REFERENCED_COLUMN_NAME AS CHAR) \
               FROM information_schema.KEY_COLUMN_USAGE \
               WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
               AND REFERENCED_TABLE_NAME IS NOT NULL";
    let references: Vec<(String, String, String, String)> = sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;
    let foreign: Vec<&(String, String, String, String)> =
        single_column(&references, |(name, ..)| name).collect();

    let checks: Vec<String> = if mariadb {
        let sql = "SELECT CAST(CHECK_CLAUSE AS CHAR) FROM information_schema.CHECK_CONSTRAINTS \
                   WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ?";
        let rows: Vec<(String,)> = sqlx::query_as(sql)
            .bind(table)
            .fetch_all(&mut *conn)
            .await?;
        rows.into_iter().map(|(clause,)| squeeze(&clause)).collect()
    } else {
        vec![]
    };

    let mut columns = Vec::with_capacity(rows.len());
    let mut unmapped = Vec::with_capacity(rows.len());
    for row in rows {
        let (
            name,
            data_type,
            column_type,
            nullable,
            default,
            extra,
            length,
            precision,
            scale,
            expression,
        ) = row;
        // EXTRA is `VIRTUAL GENERATED` / `STORED GENERATED` on both servers (MariaDB's older
        // `PERSISTENT GENERATED` is STORED).
        let extra_lower = extra.to_ascii_lowercase();
        let generated = match expression.filter(|e| !e.is_empty()) {
            Some(expression) if extra_lower.contains("generated") => Some(Computed {
                expression,
                stored: !extra_lower.contains("virtual"),
            }),
            _ => None,
        };
        let json_check = format!("json_valid({})", squeeze(&name));
        let checked_json = data_type == "longtext" && checks.contains(&json_check);
        let kind = if checked_json {
            Some(Kind::Json)
        } else {
            kind(&data_type, &column_type)
        };
        let nullable = nullable == "YES";
        let default = default_ddl(default, mariadb, nullable, kind, &extra);
        unmapped.push(kind.is_none());
        columns.push(Column {
            sql_type: if checked_json {
                "json".to_owned()
            } else {
                column_type
            },
            kind: kind.unwrap_or_else(placeholder_kind),
            nullable,
            auto_increment: extra_lower.contains("auto_increment"),
            default,
            unique: unique.contains(&name),
            max_length: match data_type.as_str() {
                "char" | "varchar" => length.and_then(|n| u32::try_from(n).ok()),
                _ => None,
            },
            numeric: match (kind, precision, scale) {
                (Some(Kind::Decimal), Some(p), Some(s)) => {
                    Some((u32::try_from(p).unwrap_or(0), u32::try_from(s).unwrap_or(0)))
                }
                _ => None,
            },
            foreign_key: foreign.iter().find(|(_, from, ..)| *from == name).map(
                |(_, _, table, column)| ForeignKey {
                    table: table.clone(),
                    column: column.clone(),
                },
            ),
            generated,
            name,
        });
    }
    let primary_key = key
        .iter()
        .filter_map(|(name,)| columns.iter().position(|c| c.name == *name))
        .collect();
    Ok(Described {
        table: Table {
            name: table.to_owned(),
            columns,
            primary_key,
        },
        unmapped,
        supported: SUPPORTED,
    })
}

/// The rows whose group (index or constraint name, from `group`) has exactly one row.
fn single_column<'a, T>(
    rows: &'a [T],
    group: impl Fn(&T) -> &String + Copy + 'a,
) -> impl Iterator<Item = &'a T> + 'a {
    rows.iter()
        .filter(move |row| rows.iter().filter(|r| group(r) == group(row)).count() == 1)
}

/// A CHECK clause or a name, lower-cased, without backticks or spaces, for comparing.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '`' && !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The kind of a column, or `None` when its type has no mapping.
fn kind(data_type: &str, column_type: &str) -> Option<Kind> {
    let column_type = column_type.to_ascii_lowercase();
    let unsigned = column_type.contains("unsigned");
    let pick = |signed: Kind, not: Kind| Some(if unsigned { not } else { signed });
    match data_type.to_ascii_lowercase().as_str() {
        "tinyint" if column_type == "tinyint(1)" => Some(Kind::Bool),
        "tinyint" => pick(Kind::I8, Kind::U8),
        "smallint" => pick(Kind::I16, Kind::U16),
        "mediumint" | "int" | "integer" => pick(Kind::I32, Kind::U32),
        "bigint" => pick(Kind::I64, Kind::U64),
        "float" => Some(Kind::F32),
        "double" | "real" => Some(Kind::F64),
        "decimal" | "numeric" => Some(Kind::Decimal),
        "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" => Some(Kind::String),
        "binary" if column_type == "binary(16)" => Some(Kind::Uuid),
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => {
            Some(Kind::Bytes)
        }
        "date" => Some(Kind::Date),
        "time" => Some(Kind::Time),
        "datetime" | "timestamp" => Some(Kind::DateTime),
        "json" => Some(Kind::Json),
        _ => None,
    }
}

/// `COLUMN_DEFAULT` as a DDL expression. MariaDB reports DDL already (`'draft'`, `1`,
/// `current_timestamp()`), and the text `NULL` for a nullable column without a default;
/// MySQL reports a literal's bare text and marks expressions `DEFAULT_GENERATED` in EXTRA.
fn default_ddl(
    default: Option<String>,
    mariadb: bool,
    nullable: bool,
    kind: Option<Kind>,
    extra: &str,
) -> Option<String> {
    let default = default?;
    if mariadb {
        return (!(nullable && default == "NULL")).then_some(default);
    }
    let expression = extra.to_ascii_uppercase().contains("DEFAULT_GENERATED");
    let bare = kind.is_some_and(|k| {
        k.is_integer() || matches!(k, Kind::Bool | Kind::F32 | Kind::F64 | Kind::Decimal)
    });
    Some(
        if expression
            && default
                .to_ascii_uppercase()
                .starts_with("CURRENT_TIMESTAMP")
        {
            default
        } else if expression {
            format!("({default})")
        } else if bare {
            default
        } else {
            format!("'{}'", default.replace('\'', "''"))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_types_map_to_kinds() {
        for (data, column, expected) in [
            ("tinyint", "tinyint(1)", Some(Kind::Bool)),
            ("tinyint", "tinyint(4)", Some(Kind::I8)),
            ("int", "int(10) unsigned", Some(Kind::U32)),
            ("mediumint", "mediumint(8) unsigned", Some(Kind::U32)),
            ("bigint", "bigint(20)", Some(Kind::I64)),
            ("binary", "binary(16)", Some(Kind::Uuid)),
            ("binary", "binary(4)", Some(Kind::Bytes)),
            ("datetime", "datetime(6)", Some(Kind::DateTime)),
            ("enum", "enum('a','b')", None),
            ("year", "year(4)", None),
        ] {
            assert_eq!(kind(data, column), expected, "{column}");
        }
    }

    #[test]
    fn defaults_become_ddl() {
        let text = Some(Kind::String);
        assert_eq!(default_ddl(Some("NULL".into()), true, true, text, ""), None);
        assert_eq!(
            default_ddl(Some("'it''s'".into()), true, false, text, ""),
            Some("'it''s'".into())
        );
        assert_eq!(
            default_ddl(Some("it's".into()), false, false, text, ""),
            Some("'it''s'".into())
        );
        assert_eq!(
            default_ddl(Some("1".into()), false, false, Some(Kind::I32), ""),
            Some("1".into())
        );
        let generated = "DEFAULT_GENERATED";
        assert_eq!(
            default_ddl(
                Some("CURRENT_TIMESTAMP(6)".into()),
                false,
                false,
                None,
                generated
            ),
            Some("CURRENT_TIMESTAMP(6)".into())
        );
        assert_eq!(squeeze("json_valid(`Doc`)"), "json_valid(doc)");
    }
}
