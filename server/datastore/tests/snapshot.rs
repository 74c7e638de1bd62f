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
        tx.commit().unwrap();
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
    let snaps = snapshots(dir.path());
    assert_eq!(snaps.len(), 2, "snapshots at 100 and 200: {snaps:?}");
    let recovered = Datastore::open(dir.path(), &options(Some(100))).unwrap();
    assert_eq!(fingerprint(&recovered), expected);
    drop(recovered);

    // The same state from the commitlog alone.
    fs::remove_dir_all(dir.path().join(SNAPSHOT_DIR)).unwrap();
    let replayed = Datastore::open(dir.path(), &options(None)).unwrap();
    assert_eq!(fingerprint(&replayed), expected);
}

#[test]
fn a_damaged_snapshot_is_skipped_for_an_older_one() {
    let dir = tempfile::tempdir().unwrap();
    let ds = Datastore::create(dir.path(), &module(), &options(Some(100))).unwrap();
    workload(&ds);
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
    let ds = Datastore::create(dir.path(), &module(), &options(Some(100))).unwrap();
    workload(&ds);
    drop(ds);
    // Lose the commitlog's newest segments: the snapshot at 200 now covers transactions the
    // log no longer has, and appending would leave a gap.
    let mut segments: Vec<_> = fs::read_dir(dir.path().join(COMMITLOG_DIR))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    segments.sort();
    let keep = segments.len() / 3;
    for s in &segments[keep..] {
        fs::remove_file(s).unwrap();
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
