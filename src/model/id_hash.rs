//! Maps and sets keyed by store ids, with a quick hash. The ids come from the user's own files
//! and workspace, one lookup or more per store of an import, so the hash is chosen for speed on
//! short text rather than for resisting keys chosen to collide (what the standard hash is for).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A map from store id to `V`.
pub type IdMap<V> = HashMap<String, V, BuildHasherDefault<IdHasher>>;

/// A set of store ids.
pub type IdSet = HashSet<String, BuildHasherDefault<IdHasher>>;

/// Eight bytes at a time: each word is mixed into the state by a rotation and a multiplication,
/// and the state is stirred once at the end so that every bit of it depends on every byte.
#[derive(Clone, Copy, Debug, Default)]
pub struct IdHasher {
    state: u64,
}

/// An odd constant whose bits are spread evenly.
const SPREAD: u64 = 0x9e37_79b9_7f4a_7c15;

impl IdHasher {
    fn mix(&mut self, word: u64) {
        self.state = (self.state.rotate_left(23) ^ word).wrapping_mul(SPREAD);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            // The length keeps "a" and "a\0" apart.
            self.mix(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.mix(u64::from(byte));
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    fn finish(&self) -> u64 {
        let mut h = self.state;
        h ^= h >> 32;
        h = h.wrapping_mul(SPREAD);
        h ^ (h >> 29)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn ids_that_differ_by_a_digit_spread_over_the_table() {
        let build = BuildHasherDefault::<IdHasher>::default();
        // The low bits pick the bucket: ids that differ only in their last digits must not
        // share them.
        let mut buckets = std::collections::HashSet::new();
        for i in 0..4096 {
            buckets.insert(build.hash_one(format!("store_{i:06}")) & 0xfff);
        }
        assert!(buckets.len() > 2500, "{} buckets of 4096", buckets.len());
        assert_ne!(build.hash_one("a"), build.hash_one("a\0"));
    }

    #[test]
    fn maps_and_sets_find_what_they_hold() {
        let mut map: IdMap<usize> = IdMap::default();
        let mut set = IdSet::default();
        for i in 0..1000 {
            map.insert(format!("s_{i}"), i);
            set.insert(format!("s_{i}"));
        }
        assert_eq!(map.get("s_500"), Some(&500));
        assert!(set.contains("s_999") && !set.contains("s_1000"));
    }
}
