//! The digest of some of this library's own sources, compiled in: what a cache of results
//! derived by that code is keyed by, so that any change to the code (a fix, even a comment)
//! makes the cache derive them again. Used for the split documents of the render caches
//! ([`split_digest`](crate::rendering::split_digest)) and the schema verdicts
//! ([`checker_digest`](crate::checker_digest)).

use sha2::{Digest as _, Sha256};

use crate::names::hex;

/// sha256 over the sha256 of each of `sources`, in order, as lowercase hex.
pub(crate) fn sources_digest(sources: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for source in sources {
        hasher.update(Sha256::digest(source.as_bytes()));
    }
    hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_and_their_order_count() {
        let base = sources_digest(&["a", "b"]);
        assert_eq!(base.len(), 64);
        assert_ne!(sources_digest(&["b", "a"]), base);
        assert_ne!(sources_digest(&["a", "b "]), base);
        // a source's own digest is hashed, so a boundary cannot move between sources
        assert_ne!(sources_digest(&["ab", ""]), sources_digest(&["a", "b"]));
    }
}
