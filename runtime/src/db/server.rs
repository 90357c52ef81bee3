//! Opening a PostgreSQL or MySQL pool: the URL must name a database, one connection is
//! made first so a server that is down or unreachable fails the start in seconds with its
//! `host:port` (a pool would retry silently for 30 s), and a missing database goes to
//! [`missing`](super::missing).

use std::time::Duration;

use sqlx::{ConnectOptions, Connection};

use super::{missing, Db};
use crate::config::Config;
use crate::error::{Error, Result};

#[cfg(feature = "postgres")]
pub(super) type Server = sqlx::Postgres;
#[cfg(feature = "postgres")]
pub(super) type Options = sqlx::postgres::PgConnectOptions;
#[cfg(not(feature = "postgres"))]
pub(super) type Server = sqlx::MySql;
#[cfg(not(feature = "postgres"))]
pub(super) type Options = sqlx::mysql::MySqlConnectOptions;

/// How long the first connection (TCP, TLS, authentication) and later pool acquires may
/// take before the start fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens the pool for `config.database_url`, creating the database first when it is
/// missing and the environment makes its own (see [`connect`](super::connect)).
pub(super) async fn open(config: &Config) -> Result<Db> {
    let options: Options = config.database_url.parse()?;
    let name = match options.get_database() {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => {
            return Err(Error::DatabaseUnnamed {
                env: config.env.clone(),
            })
        }
    };
    let server = format!("{}:{}", options.get_host(), options.get_port());
    match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
        Ok(Ok(connection)) => {
            // Closing politely can only fail on a broken connection, which the pool replaces.
            let _ = connection.close().await;
        }
        Ok(Err(error)) if missing::is_missing(&error) => {
            missing::create_or_refuse(config, &options, &name).await?;
        }
        Ok(Err(sqlx::Error::Io(source))) => {
            return Err(Error::DatabaseUnreachable {
                server,
                reason: source.to_string(),
            })
        }
        Ok(Err(error)) => return Err(error.into()),
        Err(_elapsed) => {
            return Err(Error::DatabaseUnreachable {
                server,
                reason: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            })
        }
    }
    let pool = sqlx::pool::PoolOptions::<Server>::new().acquire_timeout(CONNECT_TIMEOUT);
    Ok(pool.connect_with(options).await?)
}
