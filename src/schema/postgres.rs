//! PostgreSQL's catalog, in the connection's `current_schema()`: `information_schema.columns`
//! for the columns (every value cast to a plain type: the information schema's domains such as
//! `sql_identifier` and `cardinal_number` do not decode as `text` / `int4`), `pg_index` for the
//! primary key (in key order) and single-column unique indexes, `pg_constraint` for
//! single-column foreign keys.
//!
//! | `data_type` | kind | `sql_type` |
//! |---|---|---|
//! | boolean | Bool | BOOLEAN |
//! | smallint / integer / bigint | I16 / I32 / I64 | SMALLINT / INTEGER / BIGINT |
//! | real / double precision | F32 / F64 | REAL / DOUBLE PRECISION |
//! | numeric | Decimal | NUMERIC(p,s) or NUMERIC |
//! | character varying / character / text | String | VARCHAR(n) / CHAR(n) / TEXT |
//! | bytea | Bytes | BYTEA |
//! | date / time without time zone | Date / Time | DATE / TIME |
//! | timestamp without time zone | NaiveDateTime | TIMESTAMP |
//! | timestamp with time zone | DateTime | TIMESTAMPTZ |
//! | uuid / json / jsonb | Uuid / Json / Json | UUID / JSON / JSONB |
//!
//! serial and identity columns are auto-increment, without their `nextval(...)` default;
//! `GENERATED ALWAYS AS (expr) STORED` columns keep `generation_expression`.

use super::read::{placeholder_kind, Described};
use super::{Column, Computed, ForeignKey, Kind, Table};
use sqlx::PgConnection;

/// What a column without a mapping is told the driver supports.
const SUPPORTED: &str = "boolean, smallint, integer, bigint, real, double precision, numeric, \
                         character varying, character, text, bytea, date, time, timestamp, \
                         timestamptz, uuid, json, jsonb";

/// The base tables of the current schema.
pub(super) async fn tables(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    let sql = "SELECT table_name::text FROM information_schema.tables \
               WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'";
    let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

/// One row of `information_schema.columns`, cast to plain types.
type Info = (
    i32,            // ordinal_position (= pg_attribute.attnum)
    String,         // column_name
    String,         // data_type
    String,         // udt_name
    bool,           // is_nullable
    Option<String>, // column_default
    Option<i32>,    // character_maximum_length
    Option<i32>,    // numeric_precision
    Option<i32>,    // numeric_scale
    Option<i32>,    // datetime_precision
    bool,           // is_identity
    Option<String>, // generation_expression, when is_generated = 'ALWAYS'
);

/// The table `table` of the current schema (spelled exactly as in the database).
pub(super) async fn describe(
    conn: &mut PgConnection,
    table: &str,
) -> Result<Described, sqlx::Error> {
    let sql = "SELECT ordinal_position::int4, column_name::text, data_type::text, \
               udt_name::text, is_nullable::text = 'YES', column_default::text, \
               character_maximum_length::int4, numeric_precision::int4, numeric_scale::int4, \
               datetime_precision::int4, is_identity::text = 'YES', \
               CASE WHEN is_generated::text = 'ALWAYS' THEN generation_expression::text END \
               FROM information_schema.columns \
               WHERE table_schema = current_schema() AND table_name = $1 \
               ORDER BY ordinal_position";
    let rows: Vec<Info> = sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;

    // Indexes without a predicate or an expression: the primary key, in key order, and the
    // unique ones on a single column.
    let sql = "SELECT i.indisprimary, i.indkey::text FROM pg_index i \
               JOIN pg_class c ON c.oid = i.indrelid \
               WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relname = $1 \
               AND (i.indisprimary OR i.indisunique) \
               AND i.indpred IS NULL AND i.indexprs IS NULL";
    let indexes: Vec<(bool, String)> = sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;
    // `indkey` is an int2vector, indexed from 0, which sqlx does not decode: read as text.
    let indexes: Vec<(bool, Vec<i32>)> = indexes
        .into_iter()
        .map(|(primary, key)| {
            let columns = key.split_whitespace().filter_map(|n| n.parse().ok());
            (primary, columns.collect())
        })
        .collect();
    let key: Vec<i32> = indexes
        .iter()
        .find(|(primary, _)| *primary)
        .map(|(_, columns)| columns.clone())
        .unwrap_or_default();
    let unique: Vec<i32> = indexes
        .iter()
        .filter(|(primary, columns)| !primary && columns.len() == 1)
        .map(|(_, columns)| columns[0])
        .collect();

    let sql = "SELECT con.conkey[1]::int4, r.relname::text, a.attname::text \
               FROM pg_constraint con \
               JOIN pg_class c ON c.oid = con.conrelid \
               JOIN pg_class r ON r.oid = con.confrelid \
               JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = con.confkey[1] \
               WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relname = $1 \
               AND con.contype = 'f' AND cardinality(con.conkey) = 1";
    let foreign: Vec<(i32, String, String)> = sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;

    let mut columns = Vec::with_capacity(rows.len());
    let mut unmapped = Vec::with_capacity(rows.len());
    let mut positions = Vec::with_capacity(rows.len());
    for row in rows {
        let (
            position,
            name,
            data_type,
            udt_name,
            nullable,
            default,
            length,
            precision,
            scale,
            time_precision,
            identity,
            generation,
        ) = row;
        let serial = default
            .as_deref()
            .is_some_and(|d| d.starts_with("nextval("));
        let auto_increment = identity || serial;
        let (kind, sql_type) = match mapping(&data_type, length, precision, scale, time_precision) {
            Some((kind, sql_type)) => (Some(kind), sql_type),
            None => (None, unmapped_type(&data_type, &udt_name)),
        };
        unmapped.push(kind.is_none());
        positions.push(position);
        columns.push(Column {
            sql_type,
            kind: kind.unwrap_or_else(placeholder_kind),
            nullable,
            auto_increment,
            default: default.filter(|_| !serial),
            unique: unique.contains(&position),
            max_length: match kind {
                Some(Kind::String) => length.and_then(|n| u32::try_from(n).ok()),
                _ => None,
            },
            numeric: match (kind, precision, scale) {
                (Some(Kind::Decimal), Some(p), Some(s)) => {
                    Some((u32::try_from(p).unwrap_or(0), u32::try_from(s).unwrap_or(0)))
                }
                _ => None,
            },
            foreign_key: foreign.iter().find(|(from, _, _)| *from == position).map(
                |(_, table, column)| ForeignKey {
                    table: table.clone(),
                    column: column.clone(),
                },
            ),
            // PostgreSQL's generated columns are all STORED (VIRTUAL came in 18).
            generated: generation.map(|expression| Computed {
                expression,
                stored: true,
            }),
            name,
        });
    }
    let primary_key = key
        .iter()
        .filter_map(|attnum| positions.iter().position(|p| p == attnum))
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

/// The kind and the DDL spelling of a column, or `None` when the type has no mapping.
fn mapping(
    data_type: &str,
    length: Option<i32>,
    precision: Option<i32>,
    scale: Option<i32>,
    time_precision: Option<i32>,
) -> Option<(Kind, String)> {
    let sized = |base: &str| match length {
        Some(n) => format!("{base}({n})"),
        None => base.to_owned(),
    };
    // TIMESTAMP and TIME default to 6 fractional digits; another precision is spelled out.
    let timed = |base: &str| match time_precision {
        Some(p) if p != 6 => format!("{base}({p})"),
        _ => base.to_owned(),
    };
    let plain = |kind: Kind, sql: &str| Some((kind, sql.to_owned()));
    match data_type {
        "boolean" => plain(Kind::Bool, "BOOLEAN"),
        "smallint" => plain(Kind::I16, "SMALLINT"),
        "integer" => plain(Kind::I32, "INTEGER"),
        "bigint" => plain(Kind::I64, "BIGINT"),
        "real" => plain(Kind::F32, "REAL"),
        "double precision" => plain(Kind::F64, "DOUBLE PRECISION"),
        "numeric" => Some((
            Kind::Decimal,
            match (precision, scale) {
                (Some(p), Some(s)) => format!("NUMERIC({p},{s})"),
                _ => "NUMERIC".to_owned(),
            },
        )),
        "character varying" => Some((Kind::String, sized("VARCHAR"))),
        "character" => Some((Kind::String, sized("CHAR"))),
        "text" => plain(Kind::String, "TEXT"),
        "bytea" => plain(Kind::Bytes, "BYTEA"),
        "date" => plain(Kind::Date, "DATE"),
        "time without time zone" => Some((Kind::Time, timed("TIME"))),
        "timestamp without time zone" => Some((Kind::NaiveDateTime, timed("TIMESTAMP"))),
        "timestamp with time zone" => Some((Kind::DateTime, timed("TIMESTAMPTZ"))),
        "uuid" => plain(Kind::Uuid, "UUID"),
        "json" => plain(Kind::Json, "JSON"),
        "jsonb" => plain(Kind::Json, "JSONB"),
        _ => None,
    }
}

/// How an unmapped type is named in messages: arrays as `text[]`, enums and other
/// user-defined types by name, the rest by `data_type` (`interval`, `money`).
fn unmapped_type(data_type: &str, udt_name: &str) -> String {
    match data_type {
        "ARRAY" => format!("{}[]", udt_name.trim_start_matches('_')),
        "USER-DEFINED" => udt_name.to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_map_to_kinds_and_ddl() {
        let at = |t: &str| mapping(t, None, None, None, Some(6));
        assert_eq!(
            at("timestamp with time zone"),
            Some((Kind::DateTime, "TIMESTAMPTZ".into()))
        );
        assert_eq!(
            mapping("character varying", Some(20), None, None, None),
            Some((Kind::String, "VARCHAR(20)".into()))
        );
        assert_eq!(
            mapping("numeric", None, Some(10), Some(2), None),
            Some((Kind::Decimal, "NUMERIC(10,2)".into()))
        );
        assert_eq!(
            mapping("timestamp without time zone", None, None, None, Some(0)),
            Some((Kind::NaiveDateTime, "TIMESTAMP(0)".into()))
        );
        assert_eq!(at("interval"), None);
        assert_eq!(unmapped_type("ARRAY", "_text"), "text[]");
        assert_eq!(unmapped_type("USER-DEFINED", "mood"), "mood");
    }
}
