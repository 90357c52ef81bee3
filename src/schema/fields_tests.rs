use super::*;

fn specs(list: &str) -> Vec<String> {
    list.split_whitespace().map(str::to_owned).collect()
}

fn table(driver: Driver, list: &str) -> Table {
    parse(driver, "posts", &specs(list)).unwrap()
}

fn error(list: &str) -> String {
    let err = parse(Driver::Postgresql, "posts", &specs(list)).unwrap_err();
    let text = err.to_string();
    assert!(!text.contains('\n'), "one line: {text}");
    text
}

#[test]
fn adds_id_timestamps_and_lock_revision_around_the_fields() {
    let t = table(Driver::Postgresql, "title:string body:text:optional");
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "title",
            "body",
            "created_at",
            "updated_at",
            "lock_revision"
        ]
    );
    assert_eq!(
        (t.name.as_str(), t.primary_key.as_slice()),
        ("posts", &[0][..])
    );
    let id = &t.columns[0];
    assert_eq!(
        (id.kind, id.auto_increment, id.nullable),
        (Kind::I64, true, false)
    );
    let title = &t.columns[1];
    assert_eq!(
        (
            title.sql_type.as_str(),
            title.kind,
            title.nullable,
            title.max_length
        ),
        ("VARCHAR(255)", Kind::String, false, Some(255))
    );
    assert!(t.columns[2].nullable, "optional allows NULL");
    for stamp in &t.columns[3..5] {
        assert_eq!((stamp.kind, stamp.nullable), (Kind::DateTime, false));
        assert_eq!(stamp.sql_type, "TIMESTAMPTZ");
    }
    let lock = &t.columns[5];
    assert_eq!((lock.kind, lock.default.as_deref()), (Kind::I32, Some("1")));
    assert_eq!(lock.role(), super::super::Role::LockRevision);
}

#[test]
fn every_type_on_every_driver() {
    let list = "s:string t:text i:integer b:bigint f:float d:decimal o:bool \
                day:date at:datetime u:uuid j:json";
    let expected: [(&str, [&str; 3], Kind); 11] = [
        ("s", ["VARCHAR(255)"; 3], Kind::String),
        ("t", ["TEXT"; 3], Kind::String),
        ("i", ["INTEGER"; 3], Kind::I32),
        ("b", ["BIGINT"; 3], Kind::I64),
        ("f", ["REAL", "DOUBLE PRECISION", "DOUBLE"], Kind::F64),
        (
            "d",
            ["DECIMAL(18,6)", "NUMERIC(18,6)", "DECIMAL(18,6)"],
            Kind::Decimal,
        ),
        ("o", ["BOOLEAN"; 3], Kind::Bool),
        ("day", ["DATE"; 3], Kind::Date),
        (
            "at",
            ["DATETIME", "TIMESTAMPTZ", "DATETIME(6)"],
            Kind::DateTime,
        ),
        ("u", ["UUID", "UUID", "BINARY(16)"], Kind::Uuid),
        ("j", ["JSON", "JSONB", "JSON"], Kind::Json),
    ];
    for (n, driver) in Driver::ALL.into_iter().enumerate() {
        let t = table(driver, list);
        for (column, (name, types, kind)) in t.columns[1..].iter().zip(expected) {
            assert_eq!(column.name, name);
            assert_eq!(column.sql_type, types[n], "{driver} {name}");
            let kind = match (driver, kind) {
                (Driver::Sqlite, Kind::I32) => Kind::I64, // SQLite integers are 64-bit
                _ => kind,
            };
            assert_eq!(column.kind, kind, "{driver} {name}");
        }
        assert_eq!(
            t.columns[0].sql_type,
            if n == 0 { "INTEGER" } else { "BIGINT" }
        );
    }
    assert_eq!(table(Driver::Sqlite, "x:text").columns[4].kind, Kind::I64);
}

#[test]
fn lengths_precisions_aliases_and_modifiers() {
    let t = table(
        Driver::Mysql,
        "name:string{80}:unique price:decimal{10-2} rate:decimal{5,3} x:decimal{4.1} \
         ok:boolean:required at:timestamp:optional code:string!^ slug:String^ n:int:uniq",
    );
    let c = &t.columns;
    assert_eq!(
        (c[1].sql_type.as_str(), c[1].max_length, c[1].unique),
        ("VARCHAR(80)", Some(80), true)
    );
    assert_eq!(
        (c[2].sql_type.as_str(), c[2].numeric),
        ("DECIMAL(10,2)", Some((10, 2)))
    );
    assert_eq!(c[3].name, "rate:decimal{5,3}".split(':').next().unwrap());
    assert_eq!(c[4].numeric, Some((4, 1)));
    assert_eq!((c[5].kind, c[5].nullable), (Kind::Bool, false));
    assert_eq!((c[6].kind, c[6].nullable), (Kind::DateTime, true));
    assert_eq!((c[7].nullable, c[7].unique), (false, true));
    assert_eq!((c[8].kind, c[8].unique), (Kind::String, true));
    assert_eq!((c[9].kind, c[9].unique), (Kind::I32, true));
}

#[test]
fn references_make_an_id_column_with_a_foreign_key() {
    let t = table(
        Driver::Postgresql,
        "author:references category:belongs_to:optional",
    );
    let author = &t.columns[1];
    assert_eq!(author.name, "author_id");
    assert_eq!(
        (author.kind, author.sql_type.as_str(), author.nullable),
        (Kind::I64, "BIGINT", false)
    );
    let fk = author.foreign_key.as_ref().unwrap();
    assert_eq!((fk.table.as_str(), fk.column.as_str()), ("authors", "id"));
    let category = &t.columns[2];
    assert_eq!(category.name, "category_id");
    assert!(category.nullable);
    assert_eq!(category.foreign_key.as_ref().unwrap().table, "categories");
    let same = table(Driver::Postgresql, "author_id:references");
    assert_eq!(
        same.columns[1], t.columns[1],
        "author_id:references means author"
    );
}

#[test]
fn refusals_say_what_and_how() {
    let cases = [
        ("title", "`title`: `title` has no type; write each field as name:type[:modifier], e.g. title:string body:text:optional"),
        ("title:", "`title` has no type"),
        (":string", "the field has no name"),
        ("title:strng", "unknown type `strng` (did you mean string?); use one of string, text, integer, bigint, float, decimal, bool, date, datetime, uuid, json, references"),
        ("price:decimal10", "unknown type `decimal10`: the shell expands decimal{10,2} into two words unless it is quoted; write decimal{10-2}"),
        ("tags:array", "unknown type `array`; use one of string, text"),
        ("title:string:uniqe", "unknown modifier `uniqe`; use required, optional or unique"),
        ("title:string:index", "unknown modifier `index`"),
        ("title:string title:text", "`title` is given twice; give each field once"),
        ("id:bigint", "`id:bigint`: id is added to every field-list table for you (id, created_at, updated_at, lock_revision); leave it out"),
        ("created_at:datetime", "created_at is added to every field-list table for you"),
        ("lock_revision:integer", "lock_revision is added"),
        ("title:string:required:optional", "both required and optional"),
        ("body:text:unique", "text cannot be unique (MySQL cannot index it whole)"),
        ("meta:json^", "json cannot be unique"),
        ("name:string{1000}:unique", "a unique string holds at most 768 characters"),
        ("name:string{0}", "must be a whole number from 1 to 16383"),
        ("name:string{x}", "must be a whole number from 1 to 16383"),
        ("name:string{80", "has no closing '}'"),
        ("price:decimal{40-2}", "precision (all digits) from 1 to 28"),
        ("price:decimal{4-6}", "scale (digits after the point) at most the precision"),
        ("price:decimal{10}", "needs precision-scale"),
        ("body:text{80}", "only string{n} and decimal{p-s} take {...}; write `text`"),
    ];
    for (list, expected) in cases {
        let err = error(list);
        assert!(err.contains(expected), "{list}: {err}");
    }
    assert!(error("").contains("no fields given"));
}

#[test]
fn spec_spells_a_column_back() {
    let list = "title:string{80}:unique body:text:optional n:integer b:bigint f:float \
                d:decimal p:decimal{10-2} o:bool day:date at:datetime u:uuid j:json \
                author:references s:string";
    for driver in Driver::ALL {
        let t = table(driver, list);
        let back: Vec<String> = t.columns.iter().filter_map(spec).collect();
        assert_eq!(
            back.join(" "),
            list.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        assert_eq!(parse(driver, "posts", &back).unwrap(), t, "{driver}");
    }
}
