//! Accounts and sessions in PostgreSQL.

use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use super::{AuditRow, Param, PgStore, text, unavailable};
use crate::Role;
use crate::accounts::UserRecord;
use crate::accounts::{AccountChange, AccountStore, SessionRecord};
use crate::{AuditEntry, StoreError};

fn user_record(r: &Row) -> Result<UserRecord, StoreError> {
    let name: String = r.try_get(0)?;
    let role: String = r.try_get(1)?;
    let role: Role = role.parse().map_err(|_| StoreError::Corrupt {
        what: format!("user {name}"),
        reason: "unknown role".to_owned(),
    })?;
    Ok(UserRecord {
        role,
        password_hash: r.try_get(2)?,
        created_at: r.try_get(3)?,
        disabled_at: r.try_get(4)?,
        name,
    })
}

impl AccountStore for PgStore {
    fn insert_user(&self, u: &UserRecord, audit: &AuditEntry) -> Result<bool, StoreError> {
        self.execute_logged(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO NOTHING",
            vec![
                Param::Text(text(&u.name)),
                Param::Text(u.role.as_str().to_owned()),
                Param::Text(u.password_hash.clone()),
                Param::Time(u.created_at),
            ],
            audit,
        )
    }

    fn user(&self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        let rows = self.rows(
            "SELECT name, role, password_hash, created_at, disabled_at FROM users WHERE name = $1",
            vec![Param::Text(text(name))],
        )?;
        rows.first().map(user_record).transpose()
    }

    fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let rows = self.rows(
            "SELECT name, role, password_hash, created_at, disabled_at FROM users \
             ORDER BY created_at, name",
            vec![],
        )?;
        rows.iter().map(user_record).collect()
    }

    fn change_user(
        &self,
        name: &str,
        change: AccountChange<'_>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let name = text(name);
        let (sql, value) = match change {
            AccountChange::Disable => (
                "UPDATE users SET disabled_at = COALESCE(disabled_at, $2::timestamptz) \
                 WHERE name = $1",
                Param::Time(audit.at),
            ),
            AccountChange::Password(hash) => (
                "UPDATE users SET password_hash = $2 WHERE name = $1",
                Param::Text(hash.to_owned()),
            ),
        };
        let audit = AuditRow::of(audit);
        self.run(move |pool| async move {
            let mut c = pool.get().await.map_err(unavailable)?;
            let tx = c.transaction().await?;
            if tx.execute(sql, &[&name, value.as_sql()]).await? == 0 {
                return Ok(false);
            }
            tx.execute("DELETE FROM sessions WHERE username = $1", &[&name])
                .await?;
            audit.insert(&tx).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    fn insert_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO sessions (id_hash, username, csrf, created_at, last_seen) \
             VALUES ($1, $2, $3, $4, $5)",
            vec![
                Param::Bytes(s.id_hash.to_vec()),
                Param::Text(text(&s.user)),
                Param::Text(s.csrf.clone()),
                Param::Time(s.created_at),
                Param::Time(s.last_seen),
            ],
        )?;
        Ok(())
    }

    fn session(&self, id_hash: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError> {
        let rows = self.rows(
            "SELECT username, csrf, created_at, last_seen FROM sessions WHERE id_hash = $1",
            vec![Param::Bytes(id_hash.to_vec())],
        )?;
        rows.first()
            .map(|r| {
                Ok(SessionRecord {
                    id_hash: *id_hash,
                    user: r.try_get(0)?,
                    csrf: r.try_get(1)?,
                    created_at: r.try_get(2)?,
                    last_seen: r.try_get(3)?,
                })
            })
            .transpose()
    }

    fn touch_session(&self, id_hash: &[u8; 32], at: DateTime<Utc>) -> Result<(), StoreError> {
        self.execute(
            "UPDATE sessions SET last_seen = $2 WHERE id_hash = $1",
            vec![Param::Bytes(id_hash.to_vec()), Param::Time(at)],
        )?;
        Ok(())
    }

    fn delete_session(&self, id_hash: &[u8; 32]) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM sessions WHERE id_hash = $1",
            vec![Param::Bytes(id_hash.to_vec())],
        )?;
        Ok(())
    }
}
