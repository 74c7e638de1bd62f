//! Snapshots: recovery from snapshot + commitlog replay gives exactly the state a full replay
//! gives; damaged snapshots are skipped; a snapshot ahead of the commitlog is refused.

mod support;

use std::fs;
use std::path::Path;

use lightcone_commitlog::{CommitlogOptions, FsyncPolicy};
use lightcone_datastore::{
    Datastore, DatastoreError, DatastoreOptions, COMMITLOG_DIR, SNAPSHOT_DIR,
};
use lightcone_protocol::sats::ProductValue;
use support::*;

fn options(every: Option<u64>) -> DatastoreOptions {
    DatastoreOptions {
        commitlog: CommitlogOptions {
            fsync: FsyncPolicy::Off,
            max_segment_bytes: 4 * 1024,
            ..Default::default()
        },
        snapshot_every_txs: every,
        archive_dir: None,
    }
}

/// Every table's rows (sorted), each sequence's next value, and the next offset.
fn fingerprint(ds: &Datastore) -> (Vec<Vec<ProductValue>>, Vec<i128>, u64) {
    let state = ds.read();
    let tables = state
        .tables
        .iter()
        .map(|t| {
            let mut rows: Vec<_> = t.decoded().collect();
            rows.sort();
            rows
        })
        .collect();
    let seqs = state
        .tables
        .iter()
        .flat_map(|t| t.sequences.iter().map(|s| s.next))
        .collect();
    (tables, seqs, state.next_offset)
}

/// 250 transactions of inserts, updates and deletes.
fn workload(ds: &Datastore) {
    workload_snapshotting_at(ds, &[]);
}

/// [`workload`], taking a snapshot (and so compacting the log) with [`Datastore::snapshot`]
/// whenever the next offset is one of `at`. Periodic snapshots run in the background and one
/// due while another waits replaces it, so only these say exactly which snapshots exist.
fn workload_snapshotting_at(ds: &Datastore, at: &[u64]) {
    for i in 0..250u32 {
        let mut tx = ds.begin_mut();
        tx.insert(ACCOUNTS, account(i, i as i64)).unwrap();
        tx.insert(PLAYER, player(0, &format!("p{i}"), i % 7, i % 3))
            .unwrap();
        if i % 5 == 0 && i > 0 {
            tx.delete(ACCOUNTS, &account(i - 1, (i - 1) as i64))
                .unwrap();
            tx.insert(ACCOUNTS, account(i - 1, -1)).unwrap();
        }
        if i % 11 == 0 {
            tx.delete_by_key(PLAYER, 2, &lightcone_protocol::sats::AlgebraicValue::U32(3))
                .unwrap();
        }
        let next = tx.commit().unwrap().offset + 1;
        if at.contains(&next) {
            ds.snapshot().unwrap();
        }
    }
}

fn snapshots(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = fs::read_dir(dir.join(SNAPSHOT_DIR))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn snapshot_plus_replay_equals_full_replay() {
    let dir = tempfile::tempdir().unwrap();
    let ds = Datastore::create(dir.path(), &module(), &options(Some(100))).unwrap();
    workload(&ds);
    let expected = fingerprint(&ds);
    drop(ds); // no clean close: recovery must use the periodic snapshot + replay
              // The one due at 200 is the newest, so it is written whatever happened to the one at 100.
    assert_eq!(snapshot_offsets(dir.path()).last(), Some(&200));
    let recovered = Datastore::open(dir.path(), &options(Some(100))).unwrap();
    assert_eq!(fingerprint(&recovered), expected);
    drop(recovered);

    // The same state from a commitlog alone: the same workload, never snapshotted.
    let full = tempfile::tempdir().unwrap();
    workload(&Datastore::create(full.path(), &module(), &options(None)).unwrap());
    assert!(snapshots(full.path()).is_empty());
    let replayed = Datastore::open(full.path(), &options(None)).unwrap();
    assert_eq!(fingerprint(&replayed), expected);
}

/// The commitlog segment files of the database in `dir`.
fn segments(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// The offsets each snapshot file in `dir` ends at (their names), oldest first.
fn snapshot_offsets(dir: &Path) -> Vec<u64> {
    snapshots(dir)
        .iter()
        .map(|p| p.file_stem().unwrap().to_str().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn compaction_removes_only_segments_the_oldest_kept_snapshot_covers() {
    let dir = tempfile::tempdir().unwrap();
    let archive = tempfile::tempdir().unwrap();
    let with_archive = DatastoreOptions {
        archive_dir: Some(archive.path().to_owned()),
        ..options(None)
    };
    let ds = Datastore::create(dir.path(), &module(), &with_archive).unwrap();
    workload_snapshotting_at(&ds, &[100, 200]);
    let stats = ds.snapshot_stats().unwrap();
    drop(ds);
    assert_eq!(snapshot_offsets(dir.path()), vec![100, 200]);
    let archived = segments(archive.path());
    assert!(!archived.is_empty(), "nothing was compacted");
    assert_eq!(
        stats
            .segments_compacted
            .load(std::sync::atomic::Ordering::Relaxed),
        archived.len() as u64
    );
    // Every archived transaction is below 100 (the oldest snapshot kept), and the live log
    // still holds transaction 100, so either snapshot can be replayed from.
    let archived_log = lightcone_commitlog::Commitlog::open(archive.path(), 0).unwrap();
    assert!(
        archived_log.next_offset() <= 100,
        "archived up to {}",
        archived_log.next_offset()
    );
    let live = lightcone_commitlog::Commitlog::open(&dir.path().join(COMMITLOG_DIR), 0).unwrap();
    let first_live = live.recovered().segments[0].base_offset;
    assert!(
        first_live <= 100 && first_live > 0,
        "live log starts at {first_live}"
    );
    assert_eq!(
        archived_log.next_offset(),
        first_live,
        "archive and log must meet"
    );
}

#[test]
fn recovery_after_compaction_is_exact_even_from_the_older_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let ds = Datastore::create(dir.path(), &module(), &options(None)).unwrap();
    workload_snapshotting_at(&ds, &[100, 200]);
    let expected = fingerprint(&ds);
    drop(ds);
    let live = lightcone_commitlog::Commitlog::open(&dir.path().join(COMMITLOG_DIR), 0).unwrap();
    assert!(
        live.recovered().segments[0].base_offset > 0,
        "nothing was compacted"
    );
    drop(live);
    assert_eq!(
        fingerprint(&Datastore::open(dir.path(), &options(None)).unwrap()),
        expected
    );
    // The newest snapshot damaged: recovery falls back to the one at 100, and the compacted
    // log still reaches back to it.
    let newest = snapshots(dir.path()).pop().unwrap();
    let mut bytes = fs::read(&newest).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    fs::write(&newest, &bytes).unwrap();
    assert_eq!(
        fingerprint(&Datastore::open(dir.path(), &options(None)).unwrap()),
        expected
    );
}

#[test]
fn a_log_compacted_past_every_usable_snapshot_is_refused_naming_both_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let ds = Datastore::create(dir.path(), &module(), &options(None)).unwrap();
    workload_snapshotting_at(&ds, &[100, 200]);
    drop(ds);
    for s in snapshots(dir.path()) {
        fs::remove_file(s).unwrap();
    }
    let err = Datastore::open(dir.path(), &options(None))
        .err()
        .expect("refused");
    assert!(
        matches!(err, DatastoreError::LogStartsAfterSnapshot { snapshot: 0, log } if log > 0),
        "{err}"
    );
}

#[test]
fn a_damaged_snapshot_is_skipped_for_an_older_one() {
    let dir = tempfile::tempdir().unwrap();
    let ds = Datastore::create(dir.path(), &module(), &options(None)).unwrap();
    workload_snapshotting_at(&ds, &[100, 200]);
    let expected = fingerprint(&ds);
    drop(ds);
    let newest = snapshots(dir.path()).pop().unwrap();
    let mut bytes = fs::read(&newest).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    fs::write(&newest, &bytes).unwrap();
    // A leftover temp file from an interrupted snapshot is cleaned up, not loaded.
    fs::write(
        dir.path()
            .join(SNAPSHOT_DIR)
            .join("00000000000000000999.lcs.tmp"),
        b"junk",
    )
    .unwrap();
    let recovered = Datastore::open(dir.path(), &options(None)).unwrap();
    assert_eq!(fingerprint(&recovered), expected);
    assert!(!dir
        .path()
        .join(SNAPSHOT_DIR)
        .join("00000000000000000999.lcs.tmp")
        .exists());
}

#[test]
fn close_writes_a_snapshot_and_the_log_may_then_be_empty() {
    let dir = tempfile::tempdir().unwrap();
    let ds = Datastore::create(dir.path(), &module(), &options(None)).unwrap();
    workload(&ds);
    let expected = fingerprint(&ds);
    ds.close().unwrap();
    assert_eq!(snapshots(dir.path()).len(), 1);
    // With a snapshot of everything, the commitlog is not needed for the state.
    fs::remove_dir_all(dir.path().join(COMMITLOG_DIR)).unwrap();
    let ds = Datastore::open(dir.path(), &options(None)).unwrap();
    assert_eq!(fingerprint(&ds), expected);
    // New transactions continue at the snapshot's offset.
    let mut tx = ds.begin_mut();
    tx.insert(ACCOUNTS, account(9_999, 1)).unwrap();
    assert_eq!(tx.commit().unwrap().offset, expected.2);
}

#[test]
fn a_snapshot_ahead_of_a_shortened_log_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ds = Datastore::create(dir.path(), &module(), &options(None)).unwrap();
    workload_snapshotting_at(&ds, &[100, 200]);
    drop(ds);
    // Lose the commitlog's newest segments: the snapshot at 200 now covers transactions the
    // log no longer has, and appending would leave a gap.
    let log_dir = dir.path().join(COMMITLOG_DIR);
    let log = lightcone_commitlog::Commitlog::open(&log_dir, 0).unwrap();
    let segments = log.recovered().segments.clone();
    drop(log);
    let keep = segments
        .iter()
        .take_while(|s| s.base_offset + s.len < 200)
        .count();
    assert!(keep > 0 && keep < segments.len(), "{segments:?}");
    for s in &segments[keep..] {
        fs::remove_file(&s.path).unwrap();
    }
    let err = Datastore::open(dir.path(), &options(None))
        .err()
        .expect("refused");
    assert!(
        matches!(
            err,
            DatastoreError::SnapshotAheadOfLog { snapshot: 200, .. }
        ),
        "{err}"
    );
}
