//! Date-ordered integer keys for meetings, from which the FTS rowids derive.
//!
//! A key is `bucket << 10 | slot`. Dated meetings get bucket `2^20 + minutes since 1970`
//! (clamped to the key space), undated ones a bucket below `2^20` picked by their id, so every
//! dated key is above every undated one and newer meetings have higher keys. The slot separates
//! meetings of the same minute. A turn's FTS rowid is `key << TURN_BITS | turn index`, so all of a
//! meeting's turns lie in one rowid range and a date window is a rowid range.

use jiff::Timestamp;
use sha2::{Digest as _, Sha256};

pub(crate) const SLOT_BITS: u32 = 10;
pub(crate) const TURN_BITS: u32 = 20;
/// A transcript keeps at most this many turns (the rest are dropped: no rowid left for them).
pub(crate) const MAX_INDEXED_TURNS: usize = (1 << TURN_BITS) - 1;
const UNDATED_BUCKETS: i64 = 1 << 20;
/// Keys stay below 2^43 so that turn rowids stay below 2^63.
const MAX_BUCKET: i64 = (1 << (63 - TURN_BITS - SLOT_BITS)) - 1;

/// The first key of the bucket holding `date` (undated: the id's bucket).
pub(crate) fn bucket_base(id: &str, date: Option<Timestamp>) -> i64 {
    bucket(id, date) << SLOT_BITS
}

fn bucket(id: &str, date: Option<Timestamp>) -> i64 {
    match date {
        Some(d) => {
            let minutes = d.as_second().div_euclid(60);
            UNDATED_BUCKETS + minutes.clamp(0, MAX_BUCKET - UNDATED_BUCKETS)
        }
        None => (hash64(id) % UNDATED_BUCKETS as u64) as i64,
    }
}

/// Where to start probing for a free slot.
pub(crate) fn first_slot(id: &str) -> i64 {
    (hash64(id) >> 32) as i64 % (1 << SLOT_BITS)
}

/// All keys of the bucket that `key` is in.
pub(crate) fn same_bucket(a: i64, b: i64) -> bool {
    a >> SLOT_BITS == b >> SLOT_BITS
}

pub(crate) const SLOTS: i64 = 1 << SLOT_BITS;

/// The smallest key whose meetings are on or after `ms` (unix milliseconds).
pub(crate) fn key_from_ms(ms: i64) -> i64 {
    let minutes = ms.div_euclid(60_000);
    let b = UNDATED_BUCKETS + minutes.clamp(0, MAX_BUCKET - UNDATED_BUCKETS);
    b << SLOT_BITS
}

/// The rowid of turn `index` of the meeting with `key`.
pub(crate) fn turn_rowid(key: i64, index: usize) -> i64 {
    (key << TURN_BITS) | index as i64
}

pub(crate) fn turn_key_range(key: i64) -> (i64, i64) {
    (key << TURN_BITS, ((key + 1) << TURN_BITS) - 1)
}

fn hash64(id: &str) -> u64 {
    let digest = Sha256::digest(id.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(b)
}
