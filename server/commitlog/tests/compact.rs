//! Compaction of real log directories: only segments wholly below `keep_from` go, the newest
//! never does, archived segments plus the live ones are the whole log, and a compacted log
//! recovers and keeps appending.

use std::fs;
use std::path::{Path, PathBuf};

use lightcone_commitlog::*;

fn payload(offset: u64) -> Vec<u8> {
    (0..(offset % 29) + 5).map(|i| (offset + i) as u8).collect()
}

/// Writes transactions `0..n` into 300-byte segments.
fn write_log(dir: &Path, n: u64) {
    let options = CommitlogOptions {
        max_segment_bytes: 300,
        fsync: FsyncPolicy::Off,
        ..Default::default()
    };
    let mut log = Commitlog::open(dir, 0)
        .unwrap()
        .start(&options, None)
        .unwrap();
    for offset in 0..n {
        log.append(offset, &payload(offset)).unwrap();
    }
    log.close().unwrap();
}

/// Every segment's base offset and the offset after its last record, by recovering `dir`.
fn ranges(dir: &Path) -> Vec<(u64, u64)> {
    let log = Commitlog::open(dir, 0).unwrap();
    log.recovered()
        .segments
        .iter()
        .map(|s| (s.base_offset, s.base_offset + s.len))
        .collect()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn only_segments_wholly_below_keep_from_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 200);
    let before = ranges(dir.path());
    assert!(
        before.len() >= 8,
        "the test needs many segments: {before:?}"
    );
    // Every offset, including segment boundaries and the ends.
    for keep_from in [
        0,
        1,
        before[2].0,
        before[2].0 + 1,
        before[5].1 - 1,
        199,
        200,
        10_000,
    ] {
        let copy = tempfile::tempdir().unwrap();
        for f in files(dir.path()) {
            fs::copy(&f, copy.path().join(f.file_name().unwrap())).unwrap();
        }
        let done = compact(copy.path(), keep_from, None).unwrap();
        let after = ranges(copy.path());
        // What is left is a suffix of the log that still holds `keep_from` (or its newest
        // segment, which is never removed), and every removed segment ended below `keep_from`.
        let removed = &before[..before.len() - after.len()];
        assert_eq!(
            &before[removed.len()..],
            &after[..],
            "keep_from {keep_from}"
        );
        assert!(
            removed.iter().all(|&(_, end)| end <= keep_from),
            "keep_from {keep_from}: removed {removed:?}"
        );
        let (first_base, first_end) = after[0];
        assert!(
            first_base <= keep_from && (keep_from < first_end || after.len() == 1),
            "keep_from {keep_from}: first kept segment {first_base}..{first_end} should hold it"
        );
        assert_eq!(done.segments, removed.len(), "keep_from {keep_from}");
        assert_eq!(done.first_kept, Some(first_base));
        // The rest replays exactly, from where it starts.
        let log = Commitlog::open(copy.path(), 0).unwrap();
        let replayed: Vec<_> = log.replay(first_base).map(Result::unwrap).collect();
        let expected: Vec<_> = (first_base..200).map(|o| (o, payload(o))).collect();
        assert_eq!(replayed, expected, "keep_from {keep_from}");
    }
}

#[test]
fn archived_segments_and_the_live_ones_are_the_whole_log() {
    let dir = tempfile::tempdir().unwrap();
    let archive = tempfile::tempdir().unwrap();
    let archive_dir = archive.path().join("db");
    write_log(dir.path(), 150);
    let total_bytes: u64 = files(dir.path())
        .iter()
        .map(|f| f.metadata().unwrap().len())
        .sum();
    let done = compact(dir.path(), 100, Some(&archive_dir)).unwrap();
    assert!(done.segments > 0);
    let archived_bytes: u64 = files(&archive_dir)
        .iter()
        .map(|f| f.metadata().unwrap().len())
        .sum();
    assert_eq!(done.bytes, archived_bytes);
    let live_bytes: u64 = files(dir.path())
        .iter()
        .map(|f| f.metadata().unwrap().len())
        .sum();
    assert_eq!(archived_bytes + live_bytes, total_bytes);
    // Put together again, the files are the original log.
    let whole = tempfile::tempdir().unwrap();
    for f in files(&archive_dir).into_iter().chain(files(dir.path())) {
        fs::copy(&f, whole.path().join(f.file_name().unwrap())).unwrap();
    }
    let log = Commitlog::open(whole.path(), 0).unwrap();
    let replayed: Vec<_> = log.replay(0).map(Result::unwrap).collect();
    assert_eq!(
        replayed,
        (0..150).map(|o| (o, payload(o))).collect::<Vec<_>>()
    );
}

#[test]
fn a_compacted_log_recovers_and_appends_after_its_last_record() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 120);
    compact(dir.path(), 119, None).unwrap();
    let log = Commitlog::open(dir.path(), 0).unwrap();
    assert!(log.recovered().segments[0].base_offset > 0);
    assert_eq!(log.next_offset(), 120);
    let mut appender = log
        .start(
            &CommitlogOptions {
                fsync: FsyncPolicy::Off,
                ..Default::default()
            },
            None,
        )
        .unwrap();
    appender.append(120, b"after").unwrap();
    appender.close().unwrap();
    let log = Commitlog::open(dir.path(), 0).unwrap();
    let last = log.replay(119).map(Result::unwrap).collect::<Vec<_>>();
    assert_eq!(last, vec![(119, payload(119)), (120, b"after".to_vec())]);
}
