//! The cache of what never changes, on disk under `$XDG_CACHE_HOME/triage`:
//! one small JSON file an entry, in a folder per account endpoint and kind.
//!
//! An entry is only a shortcut, never a source of truth: a file that is too
//! big, unreadable, of another format or kind, or written for another key is
//! ignored (and rewritten on the next store). Writes go to a temporary file
//! renamed into place, so two processes never see half a file. Each kind
//! keeps at most a fixed number of entries; the least recently written go
//! first.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What every cache file says it is.
const FORMAT: &str = "triage-cache/1";
/// A file bigger than this is not read (a task definition is a few KB).
pub(crate) const MAX_FILE_BYTES: u64 = 256 * 1024;

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    format: String,
    kind: String,
    key: String,
    value: T,
}

/// The shelf is pruned on its first write and then every this many writes,
/// so a cold run that stores hundreds of entries lists the folder a few times
/// only; it holds at most `max_entries + PRUNE_EVERY` files.
const PRUNE_EVERY: usize = 64;

/// One kind of entry (task definitions, log groups) for one account endpoint.
#[derive(Debug, Clone)]
pub(crate) struct CacheShelf {
    dir: PathBuf,
    kind: &'static str,
    max_entries: usize,
    /// A file bigger than this is neither written nor read.
    max_bytes: u64,
    writes: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl CacheShelf {
    /// `namespace` keeps emulators and accounts apart: see [`namespace_for`].
    pub fn new(
        cache_dir: &Path,
        namespace: &str,
        kind: &'static str,
        max_entries: usize,
    ) -> CacheShelf {
        CacheShelf {
            dir: cache_dir.join(namespace).join(kind),
            kind,
            max_entries: max_entries.max(1),
            max_bytes: MAX_FILE_BYTES,
            writes: Default::default(),
        }
    }

    /// The same shelf with files of up to `max_bytes` (an hour of an
    /// account's CloudTrail events is bigger than a task definition).
    pub fn with_max_bytes(mut self, max_bytes: u64) -> CacheShelf {
        self.max_bytes = max_bytes;
        self
    }

    #[cfg(test)]
    pub(crate) fn path_of(&self, key: &str) -> PathBuf {
        self.path(key)
    }

    fn path(&self, key: &str) -> PathBuf {
        let hash = crate::domain::runbook::parse::sha256_hex(key.as_bytes());
        self.dir.join(format!("{}.json", &hash[..32]))
    }

    /// The entry stored for `key`, if a sound one is there.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let path = self.path(key);
        let size = std::fs::metadata(&path).ok()?.len();
        if size > self.max_bytes {
            tracing::warn!(path = %path.display(), size, "cache file too big; ignored");
            return None;
        }
        let bytes = std::fs::read(&path).ok()?;
        match serde_json::from_slice::<Envelope<T>>(&bytes) {
            Ok(e) if e.format == FORMAT && e.kind == self.kind && e.key == key => Some(e.value),
            Ok(_) => {
                tracing::warn!(path = %path.display(), "cache file of another format, kind or key; ignored");
                None
            }
            Err(err) => {
                tracing::warn!(path = %path.display(), %err, "unreadable cache file; ignored");
                None
            }
        }
    }

    /// Store `value` for `key`. Failing to write is not an error: the next
    /// run asks AWS again.
    pub fn put<T: Serialize>(&self, key: &str, value: &T) {
        if let Err(err) = self.try_put(key, value) {
            tracing::warn!(dir = %self.dir.display(), %err, "cannot write the cache");
        }
    }

    fn try_put<T: Serialize>(&self, key: &str, value: &T) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let envelope = Envelope {
            format: FORMAT.to_string(),
            kind: self.kind.to_string(),
            key: key.to_string(),
            value,
        };
        let bytes = serde_json::to_vec(&envelope).map_err(std::io::Error::other)?;
        if bytes.len() as u64 > self.max_bytes {
            return Ok(());
        }
        let path = self.path(key);
        let temp = self.dir.join(format!(
            ".{}.{}.{:x}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::write(&temp, &bytes)?;
        if let Err(err) = std::fs::rename(&temp, &path) {
            let _ = std::fs::remove_file(&temp);
            return Err(err);
        }
        let writes = self
            .writes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if writes.is_multiple_of(PRUNE_EVERY) {
            self.prune();
        }
        Ok(())
    }

    /// Keep at most `max_entries` files, dropping the oldest written.
    fn prune(&self) {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = dir
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        if files.len() <= self.max_entries {
            return;
        }
        files.sort();
        let excess = files.len() - self.max_entries;
        for (_, path) in files.into_iter().take(excess) {
            let _ = std::fs::remove_file(path);
        }
    }

    /// How many entries are on the shelf.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0)
    }
}

/// The folder for one account endpoint: `aws` for AWS itself (ARNs name
/// their account and Region, so they never collide), a hash of the URL for
/// an emulator or a VPC endpoint (whose accounts can repeat).
pub(crate) fn namespace_for(endpoint_url: Option<&str>) -> String {
    match endpoint_url {
        None => "aws".to_string(),
        Some(url) => {
            let hash = crate::domain::runbook::parse::sha256_hex(url.trim().as_bytes());
            format!("endpoint-{}", &hash[..16])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Thing {
        name: String,
    }

    fn thing(name: &str) -> Thing {
        Thing { name: name.into() }
    }

    #[test]
    fn entries_round_trip_and_foreign_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let shelf = CacheShelf::new(dir.path(), "aws", "things", 10);
        assert_eq!(shelf.get::<Thing>("a"), None);
        shelf.put("a", &thing("one"));
        assert_eq!(shelf.get::<Thing>("a"), Some(thing("one")));
        // Corrupt: ignored, then rewritten.
        std::fs::write(shelf.path("a"), b"{not json").unwrap();
        assert_eq!(shelf.get::<Thing>("a"), None);
        shelf.put("a", &thing("two"));
        assert_eq!(shelf.get::<Thing>("a"), Some(thing("two")));
        // Another key's entry under this key's name: ignored.
        let other = CacheShelf::new(dir.path(), "aws", "things", 10);
        std::fs::copy(other.path("a"), other.path("b")).unwrap();
        assert_eq!(shelf.get::<Thing>("b"), None);
        // Another kind: ignored.
        let kinds = CacheShelf::new(dir.path(), "aws", "other", 10);
        std::fs::create_dir_all(&kinds.dir).unwrap();
        std::fs::copy(shelf.path("a"), kinds.path("a")).unwrap();
        assert_eq!(kinds.get::<Thing>("a"), None);
        // Too big: not even read.
        std::fs::write(shelf.path("c"), vec![b' '; MAX_FILE_BYTES as usize + 1]).unwrap();
        assert_eq!(shelf.get::<Thing>("c"), None);
    }

    #[test]
    fn a_shelf_keeps_at_most_its_entries() {
        let dir = tempfile::tempdir().unwrap();
        let shelf = CacheShelf::new(dir.path(), "aws", "things", 3);
        for i in 0..8 {
            shelf.put(&format!("k{i}"), &thing("x"));
        }
        assert!(shelf.len() <= 3 + PRUNE_EVERY);
        // The next pruning write brings it down to the bound.
        let later = CacheShelf::new(dir.path(), "aws", "things", 3);
        later.put("k9", &thing("x"));
        assert_eq!(later.len(), 3);
    }

    #[test]
    fn emulators_get_a_folder_of_their_own() {
        assert_eq!(namespace_for(None), "aws");
        assert_ne!(
            namespace_for(Some("http://127.0.0.1:5000")),
            namespace_for(Some("http://127.0.0.1:5001"))
        );
    }
}
