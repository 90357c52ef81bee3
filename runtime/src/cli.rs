//! The app binary: `APP [-p PORT] [-e ENV] [-r DIR]`, after TreeFrog's `treefrog -p PORT -e ENV`.
//!
//! A generated app's `main` is one line,
//! `tspawn_runtime::run(env!("CARGO_PKG_VERSION"), routes)`; everything here
//! delegates to the library functions a test can call on its own ([`Config::load`],
//! [`connect`], [`app`], [`serve`]).

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use axum::Router;
use clap::{CommandFactory, FromArgMatches, Parser};

use crate::config::Config;
use crate::db::connect;
use crate::error::{Error, Result};
use crate::server::{app, serve, shutdown_signal};
use crate::state::AppState;

/// The app's command line.
#[derive(Debug, Parser)]
#[command(about = "Runs the web app", version)]
struct Args {
    /// Port to listen on (overrides `port` in config/app.toml)
    #[arg(short, long, value_name = "PORT")]
    port: Option<u16>,
    /// Environment: a table of config/app.toml such as dev, test or product
    #[arg(
        short,
        long,
        value_name = "ENV",
        env = "TSPAWN_ENV",
        default_value = "dev"
    )]
    env: String,
    /// App root folder [default: the nearest folder upwards holding config/app.toml]
    #[arg(short, long, value_name = "DIR")]
    root: Option<PathBuf>,
}

/// Runs the app: parses arguments, builds the routes, loads the config (with the settings
/// of every endpoint the routes mount, see [`Settings`](crate::config::Settings)), starts
/// logging, listens, connects to the database (applying migrations) and serves until Ctrl-C
/// or SIGTERM.
///
/// `version` is what `--version` prints: the app's own (`env!("CARGO_PKG_VERSION")`).
/// Returns success after a clean shutdown. A start-up failure prints one `error: ...` line
/// on stderr and returns failure; a bad argument prints clap's message and returns 2.
pub fn run(version: &'static str, routes: fn() -> Router<AppState>) -> ExitCode {
    let args = match parse_args(version) {
        Ok(args) => args,
        Err(error) => {
            // Printing can only fail on a closed stderr, where there is no one to tell.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    match start(args, routes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Parses the process arguments, naming the command after the app's binary.
fn parse_args(version: &'static str) -> Result<Args, clap::Error> {
    let name = std::env::args_os()
        .next()
        .and_then(|arg0| {
            Path::new(&arg0)
                .file_stem()
                .map(OsStr::to_string_lossy)
                .map(String::from)
        })
        .unwrap_or_else(|| "app".to_owned());
    let matches = Args::command()
        .name(name.clone())
        .bin_name(name)
        .version(version)
        .try_get_matches()?;
    Args::from_arg_matches(&matches)
}

fn start(args: Args, routes: fn() -> Router<AppState>) -> Result<()> {
    let root = match args.root {
        Some(root) => root,
        None => {
            let cwd = std::env::current_dir().map_err(|source| Error::Io {
                path: ".".into(),
                source,
            })?;
            find_root(&cwd)?
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Server)?;
    // The routes come first (in the runtime, for layers that need one): mounting an
    // endpoint records its settings, which loading the config then reads and checks.
    let routes = {
        let _runtime = runtime.enter();
        routes()
    };
    let mut config = Config::load(&root, &args.env)?;
    if let Some(port) = args.port {
        config.port = port;
    }
    init_tracing(&config.log);
    if config.session_key.is_generated() {
        tracing::info!(
            "no secret_key in [{}]: session cookies are signed with a key made at this start, \
             so sessions end when the app restarts (set secret_key or TSPAWN_SECRET_KEY to keep them)",
            config.env
        );
    }
    runtime.block_on(serve_app(config, routes))
}

/// Serves `routes` as [`run`] does once the config is loaded, until Ctrl-C or SIGTERM:
/// listens on `config.listen`:`config.port` first, then connects to the database (creating
/// and migrating it as [`connect`] does), so a start on a taken port ([`Error::Bind`])
/// leaves the database untouched: no SQLite file made, nothing created or migrated.
pub async fn serve_app(config: Config, routes: Router<AppState>) -> Result<()> {
    let addr = SocketAddr::new(config.listen, config.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| Error::Bind { addr, source })?;
    let db = connect(&config).await?;
    announce(local, &config.env);
    let state = AppState::new(db, config);
    serve(
        listener,
        app(routes, state.clone()),
        state.clone(),
        shutdown_signal(),
    )
    .await?;
    state.db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Prints the line a person looks for among the logs, on its own and bold on a terminal:
/// `listening on http://127.0.0.1:8800/ (env dev; Ctrl-C stops)`.
fn announce(local: SocketAddr, env: &str) {
    use std::io::{IsTerminal, Write};
    let line = listening_line(local, env);
    let mut stdout = std::io::stdout().lock();
    let written = if stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        writeln!(stdout, "\x1b[1m{line}\x1b[0m")
    } else {
        writeln!(stdout, "{line}")
    };
    // A closed stdout has no reader to tell; the server runs on regardless.
    let _ = written.and_then(|()| stdout.flush());
}

/// The text of [`announce`]'s line: a URL to open, which for an unspecified address
/// (`0.0.0.0`, `::`) is the loopback one, saying that every address is served.
fn listening_line(local: SocketAddr, env: &str) -> String {
    let mut url = local;
    let mut every = "";
    if local.ip().is_unspecified() {
        url.set_ip(match local {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
        every = ", every address";
    }
    format!("listening on http://{url}/ (env {env}{every}; Ctrl-C stops)")
}

/// The nearest folder from `start` upwards that holds `config/app.toml`, the way cargo
/// finds `Cargo.toml`, so the app starts from any subfolder of its tree.
pub(crate) fn find_root(start: &Path) -> Result<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join("config").join("app.toml").is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::RootNotFound {
            start: start.to_owned(),
        })
}

/// Logs to stdout (colours only on a terminal), filtered by `RUST_LOG` when set, else by the config's `log` (checked at
/// load). A subscriber installed earlier (by a test) is kept.
fn init_tracing(directive: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(directive));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_found_from_a_subfolder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        std::fs::write(dir.path().join("config/app.toml"), "[dev]\n").unwrap();
        let sub = dir.path().join("src/a");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(find_root(&sub).unwrap(), dir.path());
    }

    #[test]
    fn missing_root_names_the_start_folder() {
        let dir = tempfile::tempdir().unwrap();
        let err = find_root(dir.path()).unwrap_err();
        assert!(matches!(err, Error::RootNotFound { .. }), "{err}");
    }

    #[test]
    fn the_listening_line_has_a_url_to_open() {
        let local: SocketAddr = "127.0.0.1:8800".parse().unwrap();
        assert_eq!(
            listening_line(local, "dev"),
            "listening on http://127.0.0.1:8800/ (env dev; Ctrl-C stops)"
        );
        let every: SocketAddr = "0.0.0.0:80".parse().unwrap();
        assert_eq!(
            listening_line(every, "product"),
            "listening on http://127.0.0.1:80/ (env product, every address; Ctrl-C stops)"
        );
        let v6: SocketAddr = "[::]:8800".parse().unwrap();
        assert!(listening_line(v6, "dev").contains("http://[::1]:8800/"));
    }

    #[test]
    fn arguments_mirror_treefrog() {
        let args = Args::try_parse_from(["app", "-p", "9000", "-e", "product"]).unwrap();
        assert_eq!((args.port, args.env.as_str()), (Some(9000), "product"));
        Args::command().debug_assert();
    }
}
