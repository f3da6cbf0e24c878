//! One incident's journal file. Appends take an exclusive lock, write the
//! whole line with one `write` on an O_APPEND descriptor and fsync before
//! returning; reads skip (and report) a torn or corrupt line, never failing
//! because of one. Every string written, keys included, is cleaned of
//! control and bidi characters.

use super::{io, StoreError};
use crate::domain::sanitize::clean_json;
use crate::domain::timeline::entry::rfc3339_ms;
use crate::domain::timeline::entry::SCHEMA_VERSION;
use crate::domain::timeline::redact::Redactor;
use crate::domain::timeline::{Entry, EntryDraft};
use crate::domain::Clock;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub(crate) const FILE_NAME: &str = "journal.jsonl";
/// Entries other responders published to the shared log, cached locally.
pub(crate) const SHARED_FILE_NAME: &str = "shared.jsonl";

/// How far back from the end a tail read looks for the last sequence number.
const TAIL_BYTES: u64 = 256 * 1024;

pub struct Journal {
    path: PathBuf,
}

/// What a read found.
#[derive(Debug, Clone, Default)]
pub struct ReadReport {
    pub entries: Vec<Entry>,
    /// Lines that could not be read: (line number, why). A torn last line
    /// from a crash shows up here.
    pub skipped: Vec<(usize, String)>,
}

impl Journal {
    pub fn new(dir: &Path) -> Journal {
        Journal {
            path: dir.join(FILE_NAME),
        }
    }

    /// The local cache of entries other consoles shared.
    pub fn shared(dir: &Path) -> Journal {
        Journal {
            path: dir.join(SHARED_FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one entry: redacted, numbered, written and fsynced. Returns the
    /// entry exactly as written.
    pub fn append(
        &self,
        draft: EntryDraft,
        redactor: &Redactor,
        clock: &dyn Clock,
    ) -> Result<Entry, StoreError> {
        self.locked(|file, (last_seq, torn)| {
            let now = rfc3339_ms::truncate(clock.now());
            let entry = draft.into_entry(new_id(now.timestamp_millis()), last_seq + 1, now);
            let mut value =
                serde_json::to_value(&entry).map_err(|e| StoreError::Invalid(e.to_string()))?;
            redactor.redact_json(&mut value);
            // Keys too: a step's result can key its detail by a name from AWS.
            let value = clean_json(value);
            let written: Entry = serde_json::from_value(value.clone())
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            let line =
                serde_json::to_string(&value).map_err(|e| StoreError::Invalid(e.to_string()))?;
            self.write_lines(file, torn, &[line])?;
            Ok(written)
        })
    }

    /// Append entries that already exist elsewhere (their ids and seqs kept),
    /// under the same lock, in one write, fsynced.
    pub(crate) fn append_existing(&self, entries: &[Entry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        self.locked(|file, (_, torn)| {
            let lines = entries
                .iter()
                .map(|e| {
                    serde_json::to_value(e)
                        .map(clean_json)
                        .and_then(|v| serde_json::to_string(&v))
                        .map_err(|e| StoreError::Invalid(e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            self.write_lines(file, torn, &lines)
        })
    }

    /// Run `f` with the file open for appending under an exclusive lock,
    /// given the last sequence number in it and whether it ends mid-line.
    fn locked<T>(
        &self,
        f: impl FnOnce(&mut File, (u64, bool)) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let path = &self.path;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io("create", parent))?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)
            .map_err(io("open", path))?;
        file.lock().map_err(io("lock", path))?;
        let result = tail(&mut file)
            .map_err(io("read", path))
            .and_then(|tail| f(&mut file, tail));
        let _ = file.unlock();
        result
    }

    /// Write whole lines with one `write` on the O_APPEND descriptor, then
    /// fsync. A torn last line from a crash is ended first, so the new lines
    /// start clean.
    fn write_lines(&self, file: &mut File, torn: bool, lines: &[String]) -> Result<(), StoreError> {
        let mut text = String::new();
        if torn {
            text.push('\n');
        }
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        file.write_all(text.as_bytes())
            .map_err(io("write", &self.path))?;
        file.sync_data().map_err(io("sync", &self.path))
    }

    /// The file's length now (0 when it does not exist yet).
    pub fn size(&self) -> Result<u64, StoreError> {
        match std::fs::metadata(&self.path) {
            Ok(m) => Ok(m.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(io("stat", &self.path)(e)),
        }
    }

    /// The whole lines written after byte `offset`, and the offset after
    /// the last of them: a line still being written waits for the next read.
    /// A file shorter than `offset` (replaced) is read from its start.
    pub(crate) fn read_from(&self, offset: u64) -> Result<(ReadReport, u64), StoreError> {
        let len = self.size()?;
        if len == offset {
            return Ok((ReadReport::default(), offset));
        }
        let start = if len < offset { 0 } else { offset };
        let mut file = File::open(&self.path).map_err(io("open", &self.path))?;
        file.seek(SeekFrom::Start(start))
            .map_err(io("read", &self.path))?;
        let mut bytes = Vec::new();
        file.take(len - start)
            .read_to_end(&mut bytes)
            .map_err(io("read", &self.path))?;
        let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        Ok((parse(&bytes[..whole]), start + whole as u64))
    }

    /// Every readable entry, in file order.
    pub fn read(&self) -> Result<ReadReport, StoreError> {
        let text = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ReadReport::default()),
            Err(e) => return Err(io("read", &self.path)(e)),
        };
        Ok(parse(&text))
    }
}

/// Parse journal bytes; bad lines are skipped and reported.
pub fn parse(bytes: &[u8]) -> ReadReport {
    let mut report = ReadReport::default();
    let ends_cleanly = bytes.last().is_none_or(|b| *b == b'\n');
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let count = lines.len();
    for (i, line) in lines.into_iter().enumerate() {
        let number = i + 1;
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let is_last = i + 1 == count;
        if let Some(v) = newer_version(line) {
            report.skipped.push((
                number,
                format!(
                    "written by a newer triage (journal format v{v}; this one reads v{SCHEMA_VERSION}): skipped — upgrade triage to read it"
                ),
            ));
            continue;
        }
        match serde_json::from_slice::<Entry>(line) {
            Ok(entry) => report.entries.push(entry),
            Err(e) => {
                let why = if is_last && !ends_cleanly {
                    "torn last line (the writer stopped mid-write); ignored".to_string()
                } else {
                    format!("unreadable line ignored: {e}")
                };
                report.skipped.push((number, why));
            }
        }
    }
    report
}

/// The format version of a line newer than this triage reads, if it is one.
fn newer_version(line: &[u8]) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Version {
        v: u64,
    }
    let v = serde_json::from_slice::<Version>(line).ok()?.v;
    (v > u64::from(SCHEMA_VERSION)).then_some(v)
}

/// The last sequence number in the file, and whether the file ends mid-line.
fn tail(file: &mut File) -> std::io::Result<(u64, bool)> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok((0, false));
    }
    let mut start = len.saturating_sub(TAIL_BYTES);
    loop {
        file.seek(SeekFrom::Start(start))?;
        let mut buf = Vec::with_capacity((len - start) as usize);
        file.read_to_end(&mut buf)?;
        let needs_newline = buf.last() != Some(&b'\n');
        let seq = buf
            .split(|b| *b == b'\n')
            .rev()
            .filter_map(|line| serde_json::from_slice::<SeqOnly>(line).ok())
            .map(|s| s.seq)
            .next();
        match seq {
            Some(seq) => return Ok((seq, needs_newline)),
            None if start == 0 => return Ok((0, needs_newline)),
            None => start = 0,
        }
    }
}

#[derive(serde::Deserialize)]
struct SeqOnly {
    seq: u64,
}

/// A sortable unique id (a ULID): 48-bit milliseconds and 80 random bits
/// (drawn from `fastrand`, so tests can seed it), Crockford base32.
pub(crate) fn new_id(millis: i64) -> String {
    ulid::Ulid::from_parts(millis.max(0) as u64, fastrand::u128(..)).to_string()
}
