//! A PostgreSQL or MySQL URL naming a database the server does not have.
//!
//! `tspawn new APP --db postgresql` writes URLs such as `postgres://postgres@localhost/app_dev`;
//! nobody has run `createdb` yet when the app first starts. In `dev` and `test` the runtime
//! then creates the database itself (as Rails' `db:create` or Loco do), saying so in one log
//! line; in every other environment (`product` above all) it never does, and the error says
//! the command to run. The advice is built here without a driver so every build tests it.

/// The `createdb` (PostgreSQL) or `mysql -e` (MySQL) command that creates `name` on
/// `host:port` as `user`. `driver` is [`DRIVER`](super::DRIVER)'s spelling: `postgres`, else
/// MySQL's form. Names that are not plain lower-case identifiers are quoted.
#[cfg_attr(feature = "sqlite", allow(dead_code))]
pub(crate) fn create_command(
    driver: &str,
    host: &str,
    port: u16,
    user: &str,
    name: &str,
) -> String {
    let plain = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if driver == "postgres" {
        let name = if plain {
            name.to_owned()
        } else {
            format!("'{name}'")
        };
        format!("createdb -h {host} -p {port} -U {user} {name}")
    } else {
        let name = if plain {
            name.to_owned()
        } else {
            format!("`{name}`")
        };
        format!("mysql -h {host} -P {port} -u {user} -e 'CREATE DATABASE {name}'")
    }
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
    use crate::error::{Error, Result};

    #[cfg(feature = "postgres")]
    type Server = sqlx::Postgres;
    #[cfg(feature = "postgres")]
    type Options = sqlx::postgres::PgConnectOptions;
    #[cfg(not(feature = "postgres"))]
    type Server = sqlx::MySql;
    #[cfg(not(feature = "postgres"))]
    type Options = sqlx::mysql::MySqlConnectOptions;

    /// Serialises creation within one process: an app's tests start servers in parallel,
    /// and each would otherwise try to create the same test database.
    static CREATE_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    /// Whether `error`, from opening the pool, says the URL's database does not exist
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

    /// Called after opening `config.database_url` failed with [`is_missing`]: in `dev` and
    /// `test`, creates the database (one `info` line) so the caller can open it again;
    /// elsewhere returns [`Error::DatabaseMissing`] with the command that creates it. A
    /// database another process created meanwhile counts as created.
    pub(in crate::db) async fn create_or_refuse(config: &Config) -> Result<()> {
        let url = config.database_url.as_str();
        let options: Options = url.parse()?;
        let name = options.get_database().unwrap_or_default().to_owned();
        if !super::creates_database(&config.env) {
            let (host, port) = (options.get_host(), options.get_port());
            return Err(Error::DatabaseMissing {
                command: super::create_command(
                    super::super::DRIVER,
                    host,
                    port,
                    options.get_username(),
                    &name,
                ),
                server: format!("{host}:{port}"),
                name,
                env: config.env.clone(),
            });
        }
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
            "mysql -h db.example -P 3307 -u root -e 'CREATE DATABASE chat_product'"
        );
        assert_eq!(
            create_command("mysql", "h", 3306, "u", "Chat-1"),
            "mysql -h h -P 3306 -u u -e 'CREATE DATABASE `Chat-1`'"
        );
    }

    #[test]
    fn only_dev_and_test_create_their_database() {
        assert!(creates_database("dev") && creates_database("test"));
        assert!(!creates_database("product") && !creates_database("staging"));
    }
}
