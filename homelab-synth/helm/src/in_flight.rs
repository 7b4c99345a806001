//! Renders in progress, by cache key: the clusters of a run are synthesized in parallel, and
//! two of them often ask for the same render (the same release or kustomization with the same
//! inputs). The first to [`claim`](InFlight::claim) a key renders it and writes the cache
//! entry; the other waits for that claim to end and then finds the entry, so a cold run still
//! runs the tool once per distinct render. The kustomize renderer shares it.

use std::collections::HashSet;
use std::sync::{Condvar, Mutex, PoisonError};

/// The keys being rendered now.
#[derive(Debug, Default)]
pub struct InFlight {
    keys: Mutex<HashSet<String>>,
    released: Condvar,
}

/// A claim on one key, released when dropped.
#[derive(Debug)]
pub struct Claim<'a> {
    in_flight: &'a InFlight,
    key: String,
}

impl InFlight {
    /// Claims `key`, first waiting until no other thread holds it.
    pub fn claim(&self, key: &str) -> Claim<'_> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        while keys.contains(key) {
            keys = self
                .released
                .wait(keys)
                .unwrap_or_else(PoisonError::into_inner);
        }
        keys.insert(key.to_owned());
        Claim {
            in_flight: self,
            key: key.to_owned(),
        }
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        let mut keys = self
            .in_flight
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        keys.remove(&self.key);
        self.in_flight.released.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_on_a_key_waits_for_the_first_and_other_keys_do_not() {
        let in_flight = InFlight::default();
        let order = Mutex::new(Vec::new());
        let first = in_flight.claim("a");
        // another key is free while `a` is held (this would block forever otherwise)
        drop(in_flight.claim("b"));
        std::thread::scope(|scope| {
            let second = scope.spawn(|| {
                let _claim = in_flight.claim("a");
                order.lock().unwrap().push("second claimed a");
            });
            order.lock().unwrap().push("first released a");
            drop(first);
            second.join().unwrap();
        });
        assert_eq!(
            *order.lock().unwrap(),
            ["first released a", "second claimed a"]
        );
        assert!(in_flight.keys.lock().unwrap().is_empty());
    }
}
