//! A PostgreSQL or MySQL URL naming a database the server does not have.
//!
//! `tspawn new APP --db postgresql` writes URLs such as `postgres://postgres@localhost/app_dev`;
//! nobody has run `createdb` yet when the app first starts. In `dev` and `test` the runtime
//! then creates the database itself (as Rails' `db:create` or Loco do), saying so in one log
//! line; in every other environment (`product` above all) it never does, and the error says
//! the command to run. The advice is built here without a driver so every build tests it.

/// The `createdb` (PostgreSQL) or `mysql -e` (MySQL) command that creates `name` on
/// `host:port` as `user`, correct POSIX shell for any name. `driver` is
/// [`DRIVER`](super::DRIVER)'s spelling: `postgres`, else MySQL's form. Words that are not
/// plain are single-quoted (`'it'\''s'`); MySQL's name is a backtick-quoted identifier with
/// backticks doubled, inside the quoted `-e` argument.
#[cfg_attr(feature = "sqlite", allow(dead_code))]
pub(crate) fn create_command(
    driver: &str,
    host: &str,
    port: u16,
    user: &str,
    name: &str,
) -> String {
    let (host, user) = (shell_word(host), shell_word(user));
    if driver == "postgres" {
        // `--` keeps a name starting with `-` from being read as an option.
        let end = if name.starts_with('-') { "-- " } else { "" };
        format!(
            "createdb -h {host} -p {port} -U {user} {end}{}",
            shell_word(name)
        )
    } else {
        let sql = format!("CREATE DATABASE `{}`", name.replace('`', "``"));
        format!(
            "mysql -h {host} -P {port} -u {user} -e {}",
            shell_word(&sql)
        )
    }
}

/// `word` as one POSIX shell word: as is when it holds only characters the shell leaves
/// alone, else in single quotes, each `'` written `'\''`.
fn shell_word(word: &str) -> String {
    let safe = |b: u8| b.is_ascii_alphanumeric() || b"_-.,/:@%+=".contains(&b);
    if !word.is_empty() && word.bytes().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The longest database name `driver` takes: PostgreSQL's NAMEDATALEN - 1 = 63 bytes,
/// MySQL's 64 characters (plain names are ASCII, so bytes).
#[cfg_attr(feature = "sqlite", allow(dead_code))]
pub(crate) fn max_name_len(driver: &str) -> usize {
    if driver == "postgres" {
        63
    } else {
        64
    }
}

/// Whether the runtime creates a database called `name` itself: a plain identifier of
/// ASCII letters, digits, `_` and `$`, not starting with a digit, at most
/// [`max_name_len`] long. sqlx-mysql 0.8 formats the name into its `CREATE DATABASE`
/// unescaped, so no other name may reach it (a URL could otherwise run any SQL).
#[cfg_attr(feature = "sqlite", allow(dead_code))]
pub(crate) fn creatable_name(driver: &str, name: &str) -> bool {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    !name.is_empty()
        && name.len() <= max_name_len(driver)
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(plain)
}

/// Whether the environment `env` creates its own database when it is missing.
#[cfg_attr(feature = "sqlite", allow(dead_code))]
pub(crate) fn creates_database(env: &str) -> bool {
    matches!(env, "dev" | "test")
}

#[cfg(not(feature = "sqlite"))]
pub(super) use server::{create_or_refuse, is_missing};

#[cfg(not(feature = "sqlite"))]
mod server {
    use sqlx::migrate::MigrateDatabase;

    use crate::config::Config;
    use crate::db::server::{Options, Server};
    use crate::db::DRIVER;
    use crate::error::{Error, Result};

    /// Serialises creation within one process: an app's tests start servers in parallel,
    /// and each would otherwise try to create the same test database.
    static CREATE_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    /// Whether `error`, from opening a connection, says the URL's database does not exist
    /// (PostgreSQL SQLSTATE 3D000 `invalid_catalog_name`; MySQL error 1049 `ER_BAD_DB_ERROR`).
    pub(in crate::db) fn is_missing(error: &sqlx::Error) -> bool {
        let sqlx::Error::Database(error) = error else {
            return false;
        };
        #[cfg(feature = "postgres")]
        return error.code().as_deref() == Some("3D000");
        #[cfg(not(feature = "postgres"))]
        return error
            .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
            .is_some_and(|e| e.number() == 1049);
    }

    /// Called after connecting with `options` (parsed from `config.database_url`) failed
    /// with [`is_missing`] for the database `name`: in `dev` and `test`, creates it (one
    /// `info` line) so the caller can open it; elsewhere returns [`Error::DatabaseMissing`]
    /// with the command that creates it. A name that is not
    /// [`creatable`](super::creatable_name) is [`Error::DatabaseNotCreated`] even in `dev`.
    /// A database another process created meanwhile counts as created.
    pub(in crate::db) async fn create_or_refuse(
        config: &Config,
        options: &Options,
        name: &str,
    ) -> Result<()> {
        let (host, port) = (options.get_host(), options.get_port());
        let command = super::create_command(DRIVER, host, port, options.get_username(), name);
        let server = format!("{host}:{port}");
        if !super::creates_database(&config.env) {
            return Err(Error::DatabaseMissing {
                command,
                server,
                name: name.to_owned(),
                env: config.env.clone(),
            });
        }
        if !super::creatable_name(DRIVER, name) {
            return Err(Error::DatabaseNotCreated {
                name: name.to_owned(),
                server,
                command,
                max: super::max_name_len(DRIVER),
            });
        }
        let url = config.database_url.as_str();
        let _guard = CREATE_LOCK.lock().await;
        if Server::database_exists(url).await? {
            return Ok(());
        }
        if let Err(error) = Server::create_database(url).await {
            if !Server::database_exists(url).await? {
                return Err(error.into());
            }
        }
        tracing::info!(
            "created database {name}: it was missing, and {} makes its own (product never does)",
            config.env
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_names_server_user_and_database() {
        assert_eq!(
            create_command("postgres", "localhost", 5432, "postgres", "chat_product"),
            "createdb -h localhost -p 5432 -U postgres chat_product"
        );
        assert_eq!(
            create_command("mysql", "db.example", 3307, "root", "chat_product"),
            "mysql -h db.example -P 3307 -u root -e 'CREATE DATABASE `chat_product`'"
        );
        assert_eq!(
            create_command("mysql", "h", 3306, "u", "Chat-1"),
            "mysql -h h -P 3306 -u u -e 'CREATE DATABASE `Chat-1`'"
        );
    }

    /// Runs `command` with `createdb` / `mysql` replaced by a shell function printing each
    /// argument on a line, so the test sees what the shell would pass.
    fn shell_arguments(command: &str) -> Vec<String> {
        let script = format!(
            "createdb() {{ printf '%s\\n' \"$@\"; }}; mysql() {{ createdb \"$@\"; }}; {command}"
        );
        let output = std::process::Command::new("sh")
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(output.status.success(), "{command}: {output:?}");
        let out = String::from_utf8(output.stdout).unwrap();
        out.lines().map(str::to_owned).collect()
    }

    #[test]
    fn the_command_is_correct_shell_for_any_name() {
        let names = [
            "it's x",
            "a`b",
            "evil`; DROP DATABASE c; --",
            "$(touch x)",
            "-x",
            "\\ \"",
        ];
        for name in names {
            let pg = shell_arguments(&create_command("postgres", "h", 1, "o'k", name));
            let mut expected = vec!["-h", "h", "-p", "1", "-U", "o'k"];
            expected.extend(name.starts_with('-').then_some("--"));
            expected.push(name);
            assert_eq!(pg, expected);
            let my = shell_arguments(&create_command("mysql", "h", 1, "u", name));
            let sql = format!("CREATE DATABASE `{}`", name.replace('`', "``"));
            assert_eq!(my.last().unwrap(), &sql, "{my:?}");
        }
        assert_eq!(
            create_command("postgres", "h", 1, "u", "it's x"),
            r"createdb -h h -p 1 -U u 'it'\''s x'"
        );
    }

    #[test]
    fn only_plain_identifiers_are_created() {
        for name in ["chat_dev", "Chat$1", "_x", &"a".repeat(63)] {
            assert!(creatable_name("postgres", name), "{name}");
        }
        assert!(creatable_name("mysql", &"a".repeat(64)));
        assert!(!creatable_name("postgres", &"a".repeat(64)));
        for name in [
            "",
            "1chat",
            "chat-dev",
            "a b",
            "evil`; DROP DATABASE c; --",
            "é",
        ] {
            assert!(!creatable_name("mysql", name), "{name}");
        }
    }

    #[test]
    fn only_dev_and_test_create_their_database() {
        assert!(creates_database("dev") && creates_database("test"));
        assert!(!creates_database("product") && !creates_database("staging"));
    }
}
