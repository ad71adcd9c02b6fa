//! Several instances on one PostgreSQL database: each commits its transitions with a
//! `pg_notify`, and each listens, so a browser long-polling one instance is answered the moment
//! a device's request to another changes its session.

use std::time::Duration;

use sqlx::postgres::PgListener;

use crate::database::Backend;
use crate::state::AppState;
use crate::store::sessions::CHANGES_CHANNEL;

impl AppState {
    /// With PostgreSQL, starts listening for the transitions every instance commits, and wakes
    /// this instance's waiting polls; returns at once with SQLite (one instance, no one else to
    /// hear). A lost connection is made again (once a second until the database answers), and
    /// then every waiting poll asks the database, since notices sent meanwhile are lost.
    pub async fn follow_other_instances(&self) -> Result<(), sqlx::Error> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let url = self.db.connect_options().database_url.to_string();
        let mut listener = listen(&url).await?;
        let state = self.clone();
        tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        let announced = notification
                            .payload()
                            .split_once(' ')
                            .and_then(|(sid, version)| Some((sid, version.parse::<i64>().ok()?)));
                        match announced {
                            Some((sid, version)) => state.live.publish(sid, version),
                            None => tracing::warn!("an unreadable change notice was ignored"),
                        }
                        continue;
                    }
                    Ok(None) => tracing::warn!(
                        "the database closed the connection that hears other instances' changes"
                    ),
                    Err(error) => {
                        tracing::warn!(%error, "listening for other instances' changes failed")
                    }
                }
                listener = loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    match listen(&url).await {
                        Ok(listener) => break listener,
                        Err(error) => {
                            tracing::warn!(%error, "listening for other instances' changes again failed; retrying")
                        }
                    }
                };
                tracing::info!("listening for other instances' changes again");
                state.live.recheck_all();
            }
        });
        Ok(())
    }
}

/// A new connection listening on the change channel.
async fn listen(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANGES_CHANNEL).await?;
    Ok(listener)
}
