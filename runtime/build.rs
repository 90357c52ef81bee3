//! Sets the cfgs the runtime's server tests are ignored by. The migration tests in
//! tests/db.rs run on the driver the runtime is built with (SQLite first, then PostgreSQL,
//! then MySQL, as tests/db/server.rs picks it). Built for PostgreSQL or MySQL only
//! (`--no-default-features --features postgres`), they need a server: without its URL
//! (TSPAWN_TEST_POSTGRES_URL / TSPAWN_TEST_MYSQL_URL) they are compiled `#[ignore = "reason"]`
//! through `skip_postgres` / `skip_mysql`, so cargo's summary counts them as ignored; with
//! TSPAWN_REQUIRE_SERVICES set (as .ci/run does) they run and a missing URL fails them.
//!
//! Generated apps vendor only src/ and Cargo.toml, so this script is not part of their copy.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for cfg in ["skip_postgres", "skip_mysql"] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    let feature = |name: &str| std::env::var_os(format!("CARGO_FEATURE_{name}")).is_some();
    let server = if feature("SQLITE") {
        None
    } else if feature("POSTGRES") {
        Some(("skip_postgres", "TSPAWN_TEST_POSTGRES_URL"))
    } else if feature("MYSQL") {
        Some(("skip_mysql", "TSPAWN_TEST_MYSQL_URL"))
    } else {
        None
    };
    let set = |var: &str| {
        println!("cargo::rerun-if-env-changed={var}");
        std::env::var_os(var).is_some_and(|v| !v.is_empty())
    };
    let required = set("TSPAWN_REQUIRE_SERVICES");
    if let Some((cfg, var)) = server {
        if !set(var) && !required {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
