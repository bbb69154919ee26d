//! Statistics and errors reported by the heap and by collections.

use std::fmt;
use std::time::Duration;

/// What one collection did.
///
/// Invariant: `live_bytes = moved_bytes + bytes of objects kept in place (pinned + large)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CollectStats {
    /// Bytes of live objects (cell sizes) after the collection.
    pub live_bytes: usize,
    /// Bytes copied by evacuation.
    pub moved_bytes: usize,
    /// Objects copied by evacuation.
    pub moved_objects: usize,
    /// Dead objects reclaimed (finalized); excludes objects already freed by the mutator.
    pub freed_objects: usize,
    /// Small objects kept in place because they were pinned (flag or pinned root).
    pub pinned_objects: usize,
    /// Whole pause, from entry to return of `Mutator::collect`.
    pub pause: Duration,
    /// Time spent tracing and evacuating (the part that moves bytes).
    pub evacuation_time: Duration,
    /// Heap bytes (blocks in use * block size + large) on entry.
    pub heap_bytes_before: usize,
    /// Heap bytes after the collection.
    pub heap_bytes_after: usize,
}

/// Heap-wide counters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeapStats {
    /// Bytes ever allocated (cells), flushed per allocation region.
    pub allocated_bytes_total: u64,
    /// Objects ever allocated, flushed per allocation region.
    pub allocations_total: u64,
    /// Blocks in use * block size + large-object bytes, now.
    pub heap_bytes: usize,
    /// Live bytes after the last collection + allocated since - freed since.
    pub live_bytes_estimate: usize,
    /// Number of completed collections.
    pub collections: u64,
    /// Statistics of the last collection.
    pub last: Option<CollectStats>,
}

/// Why a collection was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectError {
    /// Another `Mutator` exists; only a sole mutator may collect.
    OtherMutatorsActive,
}

impl fmt::Display for CollectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CollectError::OtherMutatorsActive => {
                f.write_str("cannot collect while other mutators exist")
            }
        }
    }
}

impl std::error::Error for CollectError {}
