//! App-wide values made on first use, one per type: what a model needs to share between all
//! connections (a writer task, a cache) without globals. Each value is keyed by its type, so
//! give each use its own type (a newtype in the module that owns it).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// A map from a type to the one value of that type the app holds.
#[derive(Clone, Default)]
pub struct Shared {
    values: Arc<Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>>,
}

impl Shared {
    /// The value of type `T`, made by `init` the first time it is asked for.
    pub fn get_or_init<T: Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        let value = self
            .lock()
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(init()))
            .clone();
        downcast(value)
    }

    /// The value of type `T`, made by `init` if there is none yet; an `Err` from `init` is
    /// returned and nothing is stored, so the next call tries again.
    ///
    /// Unlike [`Shared::get_or_init`], `init` runs without the map's lock, so it may read
    /// other values of the map; if two callers race, both run `init` and the first value
    /// stored is the one both get.
    pub fn get_or_try_init<T: Any + Send + Sync, E>(
        &self,
        init: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        if let Some(value) = self.lock().get(&TypeId::of::<T>()) {
            return Ok(downcast(value.clone()));
        }
        let made: Arc<dyn Any + Send + Sync> = Arc::new(init()?);
        let value = self.lock().entry(TypeId::of::<T>()).or_insert(made).clone();
        Ok(downcast(value))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TypeId, Arc<dyn Any + Send + Sync>>> {
        self.values
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A value of the map as the `T` whose `TypeId` keys it.
fn downcast<T: Any + Send + Sync>(value: Arc<dyn Any + Send + Sync>) -> Arc<T> {
    value
        .downcast::<T>()
        .expect("the map holds a T under T's TypeId")
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.lock().len();
        f.debug_struct("Shared").field("values", &count).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_type_made_once() {
        struct Counter(u32);
        struct Other(u32);
        let shared = Shared::default();
        let first = shared.get_or_init(|| Counter(1));
        let again = shared.get_or_init(|| Counter(2));
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(again.0, 1);
        assert_eq!(shared.get_or_init(|| Other(3)).0, 3);
    }

    #[test]
    fn a_failed_init_stores_nothing() {
        struct Loaded(u32);
        let shared = Shared::default();
        assert_eq!(
            shared.get_or_try_init(|| Err::<Loaded, _>("bad")).err(),
            Some("bad")
        );
        let first = shared.get_or_try_init(|| Ok::<_, ()>(Loaded(1))).unwrap();
        let again = shared.get_or_try_init(|| Ok::<_, ()>(Loaded(2))).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(shared.get_or_init(|| Loaded(3)).0, 1);
    }
}
