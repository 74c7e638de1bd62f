//! Recovery of real log directories: clean reopen, torn tails at every cut, corruption in the
//! middle, missing segments, and the appender's durability reporting.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lightcone_commitlog::*;

fn payload(offset: u64) -> Vec<u8> {
    (0..(offset % 37) + 3)
        .map(|i| (offset as u8).wrapping_add(i as u8))
        .collect()
}

fn options(fsync: FsyncPolicy) -> CommitlogOptions {
    CommitlogOptions {
        max_segment_bytes: 512,
        fsync,
        ..Default::default()
    }
}

/// Writes `n` transactions from offset 0 into small segments.
fn write_log(dir: &Path, n: u64) {
    let mut log = Commitlog::open(dir, 0)
        .unwrap()
        .start(&options(FsyncPolicy::Off), None)
        .unwrap();
    for offset in 0..n {
        log.append(offset, &payload(offset)).unwrap();
    }
    assert_eq!(log.close().unwrap(), n.checked_sub(1));
}

fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn replay_all(dir: &Path) -> Vec<(u64, Vec<u8>)> {
    Commitlog::open(dir, 0)
        .unwrap()
        .replay(0)
        .map(Result::unwrap)
        .collect()
}

fn assert_prefix(records: &[(u64, Vec<u8>)]) {
    for (i, (offset, data)) in records.iter().enumerate() {
        assert_eq!(*offset, i as u64);
        assert_eq!(*data, payload(*offset));
    }
}

#[test]
fn a_clean_log_replays_everything_across_segments() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 200);
    assert!(
        segments(dir.path()).len() > 5,
        "small segments should roll over"
    );
    let records = replay_all(dir.path());
    assert_eq!(records.len(), 200);
    assert_prefix(&records);
    let log = Commitlog::open(dir.path(), 0).unwrap();
    assert_eq!(log.next_offset(), 200);
    let tail: Vec<_> = log.replay(150).map(|r| r.unwrap().0).collect();
    assert_eq!(tail, (150..200).collect::<Vec<_>>());
    assert_eq!(log.recovered().truncated_bytes, 0);
}

#[test]
fn appending_resumes_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 10);
    let log = Commitlog::open(dir.path(), 0).unwrap();
    let mut appender = log.start(&options(FsyncPolicy::Batched), None).unwrap();
    assert!(matches!(
        appender.append(3, &[]),
        Err(CommitlogError::OutOfOrder {
            expected: 10,
            got: 3
        })
    ));
    for offset in 10..20 {
        appender.append(offset, &payload(offset)).unwrap();
    }
    appender.close().unwrap();
    assert_prefix(&replay_all(dir.path()));
    assert_eq!(replay_all(dir.path()).len(), 20);
}

#[test]
fn a_torn_tail_is_truncated_at_every_cut_and_the_log_continues() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 60);
    let last = segments(dir.path()).pop().unwrap();
    let original = fs::read(&last).unwrap();
    let before = replay_all(dir.path()).len();
    for cut in (HEADER_BYTES..original.len()).step_by(7) {
        fs::write(&last, &original[..cut]).unwrap();
        let log = Commitlog::open(dir.path(), 0).unwrap();
        let recovered: Vec<_> = log.replay(0).map(Result::unwrap).collect();
        assert_prefix(&recovered);
        assert!(recovered.len() < before, "cut at {cut}");
        assert_eq!(
            fs::metadata(&last).unwrap().len() + log.recovered().truncated_bytes,
            cut as u64
        );
        // The next transaction goes right after the surviving prefix.
        let next = log.next_offset();
        assert_eq!(next, recovered.len() as u64);
        let mut appender = log.start(&options(FsyncPolicy::Off), None).unwrap();
        appender.append(next, &payload(next)).unwrap();
        appender.close().unwrap();
        let again = replay_all(dir.path());
        assert_eq!(again.len() as u64, next + 1);
        assert_prefix(&again);
    }
}

#[test]
fn garbage_appended_after_the_last_record_is_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 30);
    let last = segments(dir.path()).pop().unwrap();
    let mut bytes = fs::read(&last).unwrap();
    bytes.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    fs::write(&last, &bytes).unwrap();
    let log = Commitlog::open(dir.path(), 0).unwrap();
    assert_eq!(log.recovered().truncated_bytes, 7);
    assert_eq!(log.next_offset(), 30);
}

#[test]
fn a_flipped_byte_in_the_middle_of_the_last_segment_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 60);
    let last = segments(dir.path()).pop().unwrap();
    let mut bytes = fs::read(&last).unwrap();
    bytes[HEADER_BYTES + 10] ^= 0x01;
    fs::write(&last, &bytes).unwrap();
    let err = Commitlog::open(dir.path(), 0).unwrap_err().to_string();
    assert!(
        err.contains("corrupt") && err.contains("followed by valid records"),
        "{err}"
    );
    assert!(
        err.contains(&last.file_name().unwrap().to_string_lossy().to_string()),
        "{err}"
    );
    // Nothing was truncated.
    assert_eq!(fs::read(&last).unwrap(), bytes);
}

#[test]
fn damage_in_an_earlier_segment_is_an_error_even_at_its_end() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 60);
    let first = segments(dir.path()).remove(0);
    let bytes = fs::read(&first).unwrap();
    fs::write(&first, &bytes[..bytes.len() - 1]).unwrap();
    let err = Commitlog::open(dir.path(), 0).unwrap_err().to_string();
    assert!(err.contains("not in the last segment"), "{err}");
}

#[test]
fn a_missing_segment_is_a_gap_error() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 60);
    let files = segments(dir.path());
    fs::remove_file(&files[1]).unwrap();
    let err = Commitlog::open(dir.path(), 0).unwrap_err().to_string();
    assert!(err.contains("gap or overlap"), "{err}");
}

#[test]
fn a_bad_header_is_an_error_and_an_unfinished_last_header_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 60);
    let files = segments(dir.path());
    // A half-written header on a new last segment: a crash while rolling over.
    let next = Commitlog::open(dir.path(), 0).unwrap().next_offset();
    let stub = dir.path().join(segment_file_name(next));
    fs::write(&stub, b"LCCL\x01").unwrap();
    let log = Commitlog::open(dir.path(), 0).unwrap();
    assert_eq!(log.next_offset(), next);
    assert!(!stub.exists());
    // A damaged header anywhere is corruption.
    let mut bytes = fs::read(&files[0]).unwrap();
    bytes[0] = b'X';
    fs::write(&files[0], &bytes).unwrap();
    let err = Commitlog::open(dir.path(), 0).unwrap_err().to_string();
    assert!(err.contains("bad magic"), "{err}");
}

#[test]
fn durability_is_reported_to_waiters_and_the_callback() {
    for policy in [
        FsyncPolicy::EveryCommit,
        FsyncPolicy::Batched,
        FsyncPolicy::Off,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let seen = Arc::new(AtomicU64::new(u64::MAX));
        let seen2 = seen.clone();
        let callback: DurableCallback =
            Box::new(move |offset| seen2.store(offset, Ordering::SeqCst));
        let log = Commitlog::open(dir.path(), 0).unwrap();
        let mut appender = log.start(&options(policy), Some(callback)).unwrap();
        assert_eq!(appender.durable_offset(), None);
        for offset in 0..100 {
            appender.append(offset, &payload(offset)).unwrap();
        }
        assert!(
            appender.wait_durable(99, Duration::from_secs(10)).unwrap(),
            "{policy:?}"
        );
        assert_eq!(appender.durable_offset(), Some(99));
        assert_eq!(seen.load(Ordering::SeqCst), 99);
        assert!(!appender
            .wait_durable(100, Duration::from_millis(10))
            .unwrap());
        assert_eq!(appender.close().unwrap(), Some(99));
    }
}

#[test]
fn an_empty_log_starts_at_the_given_offset() {
    let dir = tempfile::tempdir().unwrap();
    let log = Commitlog::open(&dir.path().join("nested/log"), 1000).unwrap();
    assert_eq!(log.next_offset(), 1000);
    let mut appender = log.start(&CommitlogOptions::default(), None).unwrap();
    appender.append(1000, b"x").unwrap();
    assert_eq!(appender.close().unwrap(), Some(1000));
    let log = Commitlog::open(&dir.path().join("nested/log"), 0).unwrap();
    assert_eq!(
        log.replay(0).map(|r| r.unwrap().0).collect::<Vec<_>>(),
        [1000]
    );
}
