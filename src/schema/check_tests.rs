use super::*;
use crate::schema::{fields, Kind};

fn column(name: &str) -> Column {
    Column {
        name: name.to_owned(),
        sql_type: "TEXT".to_owned(),
        kind: Kind::String,
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

/// A live table `t` with `names`, keyed on the first.
fn live(names: &[&str]) -> Table {
    Table {
        name: "t".to_owned(),
        columns: names.iter().map(|n| column(n)).collect(),
        primary_key: vec![0],
    }
}

fn refusal(driver: Driver, table: &Table, origin: Origin) -> String {
    let text = check(driver, table, origin).unwrap_err().to_string();
    assert!(!text.contains('\n'), "one line: {text}");
    text
}

fn field_list(list: &str) -> Result<(), String> {
    let specs: Vec<String> = list.split_whitespace().map(str::to_owned).collect();
    let table = fields::parse(Driver::Postgresql, "posts", &specs).unwrap();
    check(Driver::Postgresql, &table, Origin::FieldList).map_err(|e| e.to_string())
}

#[test]
fn fields_are_snake_case_and_keywords_go_raw() {
    let field = |name: &str| column(name).field();
    assert_eq!(field("AlbumId"), "album_id");
    assert_eq!(field("Title"), "title");
    assert_eq!(field("created_at"), "created_at");
    assert_eq!(field("type"), "r#type");
    assert_eq!(field("Match"), "r#match");
    assert_eq!(field("gen"), "r#gen");
}

#[test]
fn live_tables_keep_any_case_but_need_identifiers() {
    let fine = live(&["AlbumId", "Title", "type", "order", "user", "_x"]);
    check(Driver::Mysql, &fine, Origin::LiveTable).unwrap();
    let cases = [
        ("2nd", "t.2nd: the column name starts with a digit, so it cannot become a Rust field; rename the column, or make a view that renames it and run tspawn model on the view"),
        ("first name", "t.first name: the column name holds a space"),
        ("größe", "holds 'ö' (only ASCII letters, digits and '_' make a field)"),
        ("a-b", "holds '-'"),
        ("self", "makes `self`, which Rust cannot use as a field"),
        ("Self", "makes `self`"),
        ("super", "makes `super`"),
        ("crate", "makes `crate`"),
        ("_", "holds no letters or digits"),
    ];
    for (name, expected) in cases {
        let text = refusal(Driver::Sqlite, &live(&["id", name]), Origin::LiveTable);
        assert!(text.contains(expected), "{name}: {text}");
    }
}

#[test]
fn two_columns_making_one_field_clash() {
    let text = refusal(
        Driver::Sqlite,
        &live(&["AlbumId", "album_id"]),
        Origin::LiveTable,
    );
    assert_eq!(
        text,
        "t: columns `AlbumId` and `album_id` both become the Rust field `album_id`; rename one \
         of them, or make a view that renames it and run tspawn model on the view"
    );
    let text = refusal(Driver::Sqlite, &live(&["id", "_x", "x"]), Origin::LiveTable);
    assert!(
        text.contains("`_x` and `x` both become the Rust field `x`"),
        "{text}"
    );
}

#[test]
fn a_live_table_needs_a_primary_key() {
    let mut blog = live(&["id", "title"]);
    blog.name = "blog".to_owned();
    blog.primary_key.clear();
    assert_eq!(
        refusal(Driver::Postgresql, &blog, Origin::LiveTable),
        "blog has no primary key: model needs one to get, update and remove a row; add one \
         with ALTER TABLE blog ADD PRIMARY KEY (...)"
    );
    blog.name = "BlogEntry".to_owned();
    assert!(
        refusal(Driver::Mysql, &blog, Origin::LiveTable).contains("ALTER TABLE `BlogEntry` ADD")
    );
    check(Driver::Mysql, &blog, Origin::FieldList).unwrap_err();
}

#[test]
fn field_lists_need_plain_portable_names() {
    field_list("title:string body:text author:references users:integer").unwrap();
    let cases = [
        ("Title:string", "posts.Title: `Title` is not snake_case; use lowercase letters, digits and single '_' between words, starting with a letter; pick another name, e.g. `title`"),
        ("first__name:string", "`first__name` is not snake_case"),
        ("x_:string", "`x_` is not snake_case"),
        ("type:string", "posts.type: `type` is a Rust keyword (the field would be r#type); pick another name, e.g. `post_type`"),
        ("order:integer", "posts.order: `order` is reserved in SQL (SQLite, PostgreSQL, MySQL); pick another name, e.g. `post_order`"),
        ("user:string", "`user` is reserved in SQL (PostgreSQL)"),
        ("rank:integer", "`rank` is reserved in SQL (MySQL)"),
        ("self:string", "the column name makes `self`"),
        ("2nd:string", "starts with a digit"),
    ];
    for (list, expected) in cases {
        let text = field_list(list).unwrap_err();
        assert!(text.contains(expected), "{list}: {text}");
    }
}

#[test]
fn field_lists_fit_the_drivers_identifier_limit() {
    let parse = |driver: Driver, field: String| {
        fields::parse(driver, "posts", &[format!("{field}:string")]).unwrap()
    };
    let at_64 = "a".repeat(64);
    assert_eq!(
        refusal(
            Driver::Postgresql,
            &parse(Driver::Postgresql, at_64.clone()),
            Origin::FieldList
        ),
        format!(
            "posts.{at_64}: `{at_64}` has 64 bytes, over PostgreSQL's limit of 63 bytes; pick \
             another name"
        )
    );
    check(
        Driver::Mysql,
        &parse(Driver::Mysql, at_64.clone()),
        Origin::FieldList,
    )
    .unwrap();
    let at_65 = "a".repeat(65);
    let text = refusal(
        Driver::Mysql,
        &parse(Driver::Mysql, at_65),
        Origin::FieldList,
    );
    assert!(
        text.contains("has 65 characters, over MySQL/MariaDB's limit of 64 characters"),
        "{text}"
    );
    check(
        Driver::Sqlite,
        &parse(Driver::Sqlite, "a".repeat(300)),
        Origin::FieldList,
    )
    .unwrap();

    let mut table = parse(Driver::Mysql, "x".to_owned());
    table.name = "b".repeat(65);
    let text = refusal(Driver::Mysql, &table, Origin::FieldList);
    assert!(
        text.starts_with(&format!("table `{}`: ", table.name)),
        "{text}"
    );
    assert!(
        text.ends_with("limit of 64 characters; pick another model name"),
        "{text}"
    );
    table.name = "groups".to_owned();
    let text = refusal(Driver::Mysql, &table, Origin::FieldList);
    assert!(
        text.contains("`groups` is reserved in SQL (MySQL)"),
        "{text}"
    );
    table.name = "order_lines".to_owned();
    check(Driver::Mysql, &table, Origin::FieldList).unwrap();
}

/// Every refusal of a field-list column that suggests a name suggests one the same check
/// accepts: fed back in place of the refused name, the field list passes.
#[test]
fn every_suggested_name_is_accepted() {
    let long = "c".repeat(64);
    let cases = [
        ("Title:string", Some("title")),
        ("_x:string", Some("x")),
        ("first__name:string", Some("first_name")),
        ("x_:string", Some("x")),
        ("Body:text body:text", Some("post_body")),
        ("ID:string", Some("post_id")),
        ("CreatedAt:datetime", Some("post_created_at")),
        ("type:string", Some("post_type")),
        ("order:integer", Some("post_order")),
        ("user:string", Some("post_user")),
        ("rank:integer", Some("post_rank")),
        ("Select:string", Some("post_select")),
        ("Type:string", Some("post_type")),
        ("post_type:string Type:string", None),
        (&*format!("{long}:string"), None),
        // 60 bytes, but its snake_case is 89.
        (&*format!("{}:string", "Aa".repeat(30)), None),
        (
            &*format!("C{}:string", "c".repeat(62)),
            Some(&*"c".repeat(63)),
        ),
    ];
    for (list, expected) in cases {
        let text = field_list(list).unwrap_err();
        assert_eq!(
            text.matches("e.g.").count(),
            expected.map_or(0, |_| 1),
            "{list}: {text}"
        );
        let suggested = text
            .split_once("e.g. `")
            .map(|(_, rest)| rest.split('`').next().unwrap());
        assert_eq!(suggested, expected, "{list}: {text}");
        if let Some(name) = suggested {
            let refused = text
                .split(": ")
                .next()
                .unwrap()
                .trim_start_matches("posts.");
            let fixed = list.replacen(&format!("{refused}:"), &format!("{name}:"), 1);
            assert_ne!(fixed, list);
            field_list(&fixed).unwrap_or_else(|e| panic!("{list} → {fixed}: {e}"));
        }
    }
}
