//! SQL words a field list may not use as a table or column name, and that
//! [`Driver::quote_if_needed`](crate::driver::Driver::quote_if_needed) always quotes.
//!
//! A field list's names are written bare in migrations and generated SQL on every driver, so
//! a name reserved by any one of them is refused: an app can move from SQLite to PostgreSQL
//! without renaming a column. The lists are curated from the servers' own docs:
//! - PostgreSQL 17, Appendix C "SQL Key Words": the words marked *reserved* (including
//!   "requires AS" and "can be function or type");
//! - MySQL 8.4 Reference Manual 11.3 "Keywords and Reserved Words" (the words marked R), plus
//!   MariaDB's "Reserved Words" page (11.x) where it reserves more;
//! - SQLite's "SQL As Understood By SQLite: SQL Keywords": the keywords its parser has no
//!   fallback to an identifier for (`lang_keywords.html`; `%fallback ID` in parse.y).
//!
//! Words are lowercase and sorted within each list (a unit test keeps them so).

use crate::driver::Driver;

/// PostgreSQL's reserved key words.
#[rustfmt::skip]
const POSTGRESQL: &[&str] = &[
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "binary", "both", "case", "cast", "check", "collate", "collation",
    "column", "concurrently", "constraint", "create", "cross", "current_catalog",
    "current_date", "current_role", "current_schema", "current_time", "current_timestamp",
    "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
    "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant", "group", "having",
    "ilike", "in", "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral",
    "leading", "left", "like", "limit", "localtime", "localtimestamp", "natural", "not",
    "notnull", "null", "offset", "on", "only", "or", "order", "outer", "overlaps", "placing",
    "primary", "references", "returning", "right", "select", "session_user", "similar", "some",
    "symmetric", "system_user", "table", "tablesample", "then", "to", "trailing", "true",
    "union", "unique", "user", "using", "variadic", "verbose", "when", "where", "window", "with",
];

/// MySQL 8.4's reserved words, with MariaDB's additions.
#[rustfmt::skip]
const MYSQL: &[&str] = &[
    "accessible", "add", "all", "alter", "analyze", "and", "as", "asc", "asensitive", "before",
    "between", "bigint", "binary", "blob", "both", "by", "call", "cascade", "case", "change",
    "char", "character", "check", "collate", "column", "condition", "constraint", "continue",
    "convert", "create", "cross", "cube", "cume_dist", "current_date", "current_role",
    "current_time", "current_timestamp", "current_user", "cursor", "database", "databases",
    "day_hour", "day_microsecond", "day_minute", "day_second", "dec", "decimal", "declare",
    "default", "delayed", "delete", "delete_domain_id", "dense_rank", "desc", "describe",
    "deterministic", "distinct", "distinctrow", "div", "do_domain_ids", "double", "drop", "dual",
    "each", "else", "elseif", "empty", "enclosed", "escaped", "except", "exists", "exit",
    "explain", "false", "fetch", "first_value", "float", "float4", "float8", "for", "force",
    "foreign", "from", "fulltext", "function", "generated", "get", "grant", "group",
    "grouping", "groups", "having", "high_priority", "hour_microsecond", "hour_minute",
    "hour_second", "if", "ignore", "ignore_domain_ids", "in", "index",
    "infile", "inner", "inout", "insensitive", "insert", "int", "int1", "int2", "int3", "int4",
    "int8", "integer", "intersect", "interval", "into", "io_after_gtids", "io_before_gtids",
    "is", "iterate", "join", "json_table", "key", "keys", "kill", "lag", "last_value",
    "lateral", "lead", "leading", "leave", "left", "like", "limit", "linear", "lines", "load",
    "localtime", "localtimestamp", "lock", "long", "longblob", "longtext", "loop",
    "low_priority", "manual", "master_bind",
    "master_ssl_verify_server_cert", "match", "maxvalue", "mediumblob", "mediumint",
    "mediumtext", "middleint", "minute_microsecond", "minute_second", "mod", "modifies",
    "natural", "no_write_to_binlog", "not", "nth_value", "ntile", "null", "numeric", "of",
    "offset", "on", "optimize", "optimizer_costs", "option", "optionally", "or", "order", "out",
    "outer", "outfile", "over", "page_checksum", "parallel", "parse_vcol_expr", "partition",
    "percent_rank", "precision", "primary", "procedure", "purge", "qualify",
    "range", "rank", "read", "read_write", "reads", "real", "recursive", "ref_system_id",
    "references", "regexp", "release", "rename", "repeat", "replace", "require", "resignal",
    "restrict", "return", "returning", "revoke", "right", "rlike", "row", "row_number", "rows",
    "schema", "schemas", "second_microsecond", "select", "sensitive", "separator", "set",
    "show", "signal", "smallint", "spatial", "specific", "sql", "sql_big_result",
    "sql_calc_found_rows", "sql_small_result", "sqlexception", "sqlstate", "sqlwarning", "ssl",
    "starting", "stats_auto_recalc", "stats_persistent", "stats_sample_pages", "stored",
    "straight_join", "system", "table", "terminated", "then", "tinyblob", "tinyint", "tinytext",
    "to", "trailing", "trigger", "true", "undo", "union", "unique", "unlock", "unsigned",
    "update", "usage", "use", "using", "utc_date", "utc_time", "utc_timestamp", "values",
    "varbinary", "varchar", "varcharacter", "varying", "virtual", "when", "where", "while",
    "window", "with", "write", "xor", "year_month", "zerofill",
];

/// SQLite's keywords that cannot stand for an identifier.
#[rustfmt::skip]
const SQLITE: &[&str] = &[
    "add", "all", "alter", "and", "as", "autoincrement", "between", "case", "check", "collate",
    "commit", "constraint", "create", "default", "deferrable", "delete", "distinct", "drop",
    "else", "escape", "except", "exists", "foreign", "from", "group", "having", "in", "index",
    "insert", "intersect", "into", "is", "isnull", "join", "limit", "not", "nothing",
    "notnull", "null", "on", "or", "order", "primary", "references", "returning", "select",
    "set", "table", "then", "to", "transaction", "union", "unique", "update", "using", "values",
    "when", "where",
];

/// The drivers that reserve `word` (compared lowercase), in [`Driver::ALL`]'s order; empty
/// when none does.
pub fn reserved_by(word: &str) -> Vec<Driver> {
    let word = word.to_ascii_lowercase();
    Driver::ALL
        .into_iter()
        .filter(|driver| {
            let list = match driver {
                Driver::Sqlite => SQLITE,
                Driver::Postgresql => POSTGRESQL,
                Driver::Mysql => MYSQL,
            };
            list.binary_search(&word.as_str()).is_ok()
        })
        .collect()
}

/// Whether any driver reserves `word`.
pub fn is_reserved(word: &str) -> bool {
    !reserved_by(word).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_lowercase_for_binary_search() {
        for list in [POSTGRESQL, MYSQL, SQLITE] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
            assert!(list.iter().all(|w| *w == w.to_ascii_lowercase()));
        }
    }

    #[test]
    fn knows_who_reserves_what() {
        use Driver::*;
        assert_eq!(reserved_by("ORDER"), vec![Sqlite, Postgresql, Mysql]);
        assert_eq!(reserved_by("user"), vec![Postgresql]);
        assert_eq!(reserved_by("rank"), vec![Mysql]);
        assert_eq!(reserved_by("autoincrement"), vec![Sqlite]);
        for free in [
            "title",
            "name",
            "body",
            "status",
            "created_at",
            "users",
            "type",
        ] {
            assert!(!is_reserved(free), "{free}");
        }
    }
}
