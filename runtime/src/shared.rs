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
        let mut values = self
            .values
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let value = values
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(init()))
            .clone();
        value
            .downcast::<T>()
            .expect("the map holds a T under T's TypeId")
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.values.lock().map(|v| v.len()).unwrap_or_default();
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
}
