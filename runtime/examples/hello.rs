//! The shape of a generated app's `main.rs`: routes in, the runtime does the rest.
//!
//! Run it from a folder holding `config/app.toml`: `cargo run --example hello -- -p 8801`.

use tspawn_runtime::prelude::*;

fn routes() -> Router<AppState> {
    Router::new().route("/hello", get(|| async { "hello" }))
}

fn main() -> std::process::ExitCode {
    tspawn_runtime::run(env!("CARGO_PKG_VERSION"), routes)
}
