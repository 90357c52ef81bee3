//! Stub: catalog queries land next.

use super::read::Described;

pub(super) async fn tables(_conn: &mut sqlx::MySqlConnection) -> Result<Vec<String>, sqlx::Error> {
    Ok(vec![])
}

pub(super) async fn describe(_conn: &mut sqlx::MySqlConnection, _table: &str) -> Result<Described, sqlx::Error> {
    Err(sqlx::Error::Protocol("not built yet".into()))
}
