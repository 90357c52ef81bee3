//! Notices such as "a person joined", coalesced per topic so that a crowd costs a few
//! messages per second instead of one per person.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Context, Hub};
use crate::state::AppState;

/// The text of a notice for `count` events (1 for a lone one).
type Text = Arc<dyn Fn(usize) -> String + Send + Sync>;

/// Coalesced notices, one set per app ([`Notices::of`]); endpoints use
/// [`Context::announce`].
///
/// A notice tells a topic's subscribers that something happened, e.g. TreeFrog's chat sample
/// publishes `" [ New person joined ]\n"` when someone connects and `" [ A person left ]\n"`
/// when someone leaves. Published once per event, such notices make a crowd quadratic: when
/// N people join, each join reaches everyone already there, N²/2 deliveries in all (183
/// million for 19,000 joins). So notices are coalesced per topic, by tick:
///
/// - the first notice of a quiet topic is published at once, with its text for one event
///   (`text(1)`): one person joining sees the same as without coalescing, and so do the
///   others;
/// - that starts a tick ([`Notices::TICK`], 1 s): notices of the topic announced until it
///   ends are only counted, per text function;
/// - at the tick's end each text function with a count is published once, `text(count)`
///   (`" [ 37 people joined ]\n"`), in the order the first of each was announced, and a new
///   tick starts; a tick with nothing counted ends it and the topic is quiet again.
///
/// So a topic gets at most one message per text function per tick, each delivered to every
/// subscriber: a storm of N joins over T seconds costs about N·T deliveries, not N²/2, and
/// every notice is still accounted for (the counts add up to the events).
///
/// Notices are counted together when they are announced with the same function (the same
/// `fn` item or closure: its type is the key). A topic with a tick running has one timer task
/// (on [`AppState::tasks`]); it ends with the first quiet tick or at shutdown. Once
/// [`AppState::shutdown`] fires, notices are dropped, counted ones included: every client is
/// being closed with 1001 and does not need to hear who else is leaving.
pub struct Notices {
    tick: Duration,
    topics: Mutex<HashMap<Arc<str>, Vec<Pending>>>,
}

/// Notices of one text function counted in the current tick.
struct Pending {
    kind: TypeId,
    text: Text,
    count: usize,
}

impl Notices {
    /// How long after a topic's published notice the next ones are counted rather than sent.
    pub const TICK: Duration = Duration::from_secs(1);

    /// The app's notices (made on first use, with [`Notices::TICK`]).
    pub fn of(state: &AppState) -> Arc<Notices> {
        state.shared(|_| Notices::new(Notices::TICK))
    }

    /// Notices coalesced over ticks of `tick` (an app normally uses [`Notices::of`]).
    pub fn new(tick: Duration) -> Notices {
        Notices {
            tick,
            topics: Mutex::default(),
        }
    }

    /// Announces one event to `topic`'s subscribers: published at once as `text(1)` if the
    /// topic is quiet, else counted and published as `text(count)` at the end of the tick
    /// (see [`Notices`]). Does nothing once shutdown began.
    pub fn announce<F>(self: &Arc<Self>, state: &AppState, topic: &str, text: F)
    where
        F: Fn(usize) -> String + Send + Sync + 'static,
    {
        self.announce_with(state, topic, text, |text| {
            state.hub.publish(topic, text);
        });
    }

    /// How many topics have a tick running (and so a timer task).
    pub fn ticking(&self) -> usize {
        self.lock().len()
    }

    /// [`Notices::announce`], publishing the immediate notice with `publish`.
    fn announce_with<F>(
        self: &Arc<Self>,
        state: &AppState,
        topic: &str,
        text: F,
        publish: impl FnOnce(String),
    ) where
        F: Fn(usize) -> String + Send + Sync + 'static,
    {
        if state.shutdown.is_cancelled() {
            return;
        }
        // Held while publishing, so the immediate notice goes out before the tick's counts.
        let mut topics = self.lock();
        if let Some(pending) = topics.get_mut(topic) {
            let kind = TypeId::of::<F>();
            match pending.iter_mut().find(|p| p.kind == kind) {
                Some(p) => p.count += 1,
                None => pending.push(Pending {
                    kind,
                    text: Arc::new(text),
                    count: 1,
                }),
            }
            return;
        }
        let key: Arc<str> = Arc::from(topic);
        topics.insert(key.clone(), Vec::new());
        publish(text(1));
        drop(topics);
        let notices = self.clone();
        let hub = state.hub.clone();
        let shutdown = state.shutdown.clone();
        state
            .tasks
            .spawn(async move { notices.tick(key, hub, shutdown).await });
    }

    /// The timer of `topic`: at each tick's end publishes what was counted, until a tick
    /// counts nothing or shutdown.
    async fn tick(&self, topic: Arc<str>, hub: Hub, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                () = tokio::time::sleep(self.tick) => {}
                () = shutdown.cancelled() => {
                    self.lock().remove(&topic);
                    return;
                }
            }
            let mut topics = self.lock();
            let Some(pending) = topics.get_mut(&topic) else {
                return;
            };
            if pending.is_empty() {
                topics.remove(&topic);
                return;
            }
            for Pending { text, count, .. } in pending.drain(..) {
                hub.publish(&topic, text(count));
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Arc<str>, Vec<Pending>>> {
        self.topics.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for Notices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notices")
            .field("tick", &self.tick)
            .field("ticking", &self.ticking())
            .finish()
    }
}

impl<S> Context<S> {
    /// Announces an event such as "a person joined" to `topic`, coalesced with the others of
    /// the same `text` function: published at once as `text(1)` when the topic is quiet,
    /// otherwise counted and published once per second as `text(count)` (see [`Notices`]).
    /// So a crowd joining costs a few messages per second, not one per person to everyone.
    ///
    /// ```ignore
    /// fn joined(count: usize) -> String {
    ///     match count {
    ///         1 => " [ New person joined ]\n".to_owned(),
    ///         n => format!(" [ {n} people joined ]\n"),
    ///     }
    /// }
    /// ctx.announce(TOPIC, joined);
    /// ```
    ///
    /// An immediate notice reaches this connection too if it is subscribed, in order with
    /// its own sends (after the history `on_open` sent, say). Nothing is announced once
    /// shutdown began.
    pub fn announce<F>(&mut self, topic: &str, text: F)
    where
        F: Fn(usize) -> String + Send + Sync + 'static,
    {
        let state = self.state().clone();
        Notices::of(&state).announce_with(&state, topic, text, |text| {
            self.publish(topic, text);
        });
    }
}
