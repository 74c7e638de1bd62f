//! Table and index access: ids by name, row counts, full and index scans (materialized into a
//! row iterator), inserts and updates (which write the row's generated `auto_inc` values back
//! into the module's buffer), and deletes by index key, range, value or all rows.

use std::ops::Bound;

use lightcone_datastore::{MutTx, RowId, Slots};
use lightcone_protocol::bsatn::{DecodeError, Reader};
use lightcone_protocol::sats::{AlgebraicValue, Typespace};
use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::{abi, errno_of, parts, read_u32, slice, slice_mut, str_at, write_u32, write_u64};
use crate::catalog::IndexRef;
use crate::env::InstanceEnv;
use crate::errno;

type C<'a> = Caller<'a, InstanceEnv>;

pub fn link(l: &mut Linker<InstanceEnv>) -> Result<()> {
    let v0 = &abi(0);
    l.func_wrap(v0, "table_id_from_name", table_id_from_name)?;
    l.func_wrap(v0, "index_id_from_name", index_id_from_name)?;
    l.func_wrap(v0, "datastore_table_row_count", row_count)?;
    l.func_wrap(v0, "datastore_table_scan_bsatn", table_scan)?;
    l.func_wrap(v0, "datastore_index_scan_range_bsatn", index_scan_range)?;
    l.func_wrap(v0, "datastore_btree_scan_bsatn", index_scan_range)?;
    l.func_wrap(
        v0,
        "datastore_delete_by_index_scan_range_bsatn",
        delete_by_range,
    )?;
    l.func_wrap(v0, "datastore_delete_by_btree_scan_bsatn", delete_by_range)?;
    l.func_wrap(v0, "datastore_delete_all_by_eq_bsatn", delete_by_value)?;
    l.func_wrap(v0, "datastore_insert_bsatn", insert)?;
    l.func_wrap(v0, "datastore_update_bsatn", update)?;
    let v4 = &abi(4);
    l.func_wrap(v4, "datastore_index_scan_point_bsatn", index_scan_point)?;
    l.func_wrap(
        v4,
        "datastore_delete_by_index_scan_point_bsatn",
        delete_by_point,
    )?;
    l.func_wrap(&abi(5), "datastore_clear", clear)?;
    Ok(())
}

/// The open transaction, or `NOT_IN_TRANSACTION` from the enclosing function.
macro_rules! tx {
    ($env:expr) => {
        match $env.tx.as_mut() {
            Some(tx) => tx,
            None => return Ok(errno::NOT_IN_TRANSACTION),
        }
    };
}

/// Traps if `$table` is a system table: modules read them but only the host writes them.
macro_rules! writable {
    ($env:expr, $table:expr) => {
        if let Some(name) = $env.catalog.read_only($table) {
            wasmtime::bail!("modules cannot write to the system table `{name}`");
        }
    };
}

/// `$result`'s value, or its errno (or trap) from the enclosing function.
macro_rules! check {
    ($result:expr) => {
        match $result {
            Ok(v) => v,
            Err(e) => return errno_of(e),
        }
    };
}

fn table_id_from_name(mut c: C<'_>, ptr: u32, len: u32, out: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    let Some(id) = env.catalog.table_id(str_at(mem, ptr, len)?) else {
        return Ok(errno::NO_SUCH_TABLE);
    };
    write_u32(mem, out, id)?;
    Ok(errno::OK)
}

fn index_id_from_name(mut c: C<'_>, ptr: u32, len: u32, out: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    let Some(id) = env.catalog.index_id(str_at(mem, ptr, len)?) else {
        return Ok(errno::NO_SUCH_INDEX);
    };
    write_u32(mem, out, id)?;
    Ok(errno::OK)
}

fn row_count(mut c: C<'_>, table: u32, out: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    env.note_read(table);
    let tx = tx!(env);
    let n = check!(tx.table(table)).len();
    write_u64(mem, out, n as u64)?;
    Ok(errno::OK)
}

/// Copies the rows in `slots` into a new iterator and writes its handle to `out`.
fn iterate(
    mem: &mut [u8],
    env: &mut InstanceEnv,
    table: u32,
    slots: &[RowId],
    out: u32,
) -> Result<u32> {
    let mut iter = env.new_iter();
    {
        let tx = tx!(env);
        for &slot in slots {
            if let Some(row) = check!(tx.row(table, slot)) {
                iter.push(row);
            }
        }
    }
    register(mem, env, iter, out)
}

/// Registers a filled iterator (counting its bytes against the call's scan limit) and writes
/// its handle to `out`.
fn register(
    mem: &mut [u8],
    env: &mut InstanceEnv,
    iter: crate::env::RowIter,
    out: u32,
) -> Result<u32> {
    env.scanned_bytes += iter.data.len();
    if env.scanned_bytes > crate::env::MAX_SCAN_BYTES_PER_CALL {
        wasmtime::bail!(
            "the scans of one call copied more than {} MiB of rows",
            crate::env::MAX_SCAN_BYTES_PER_CALL >> 20
        );
    }
    let handle = env.iters.insert(iter);
    write_u32(mem, out, handle)?;
    Ok(errno::OK)
}

fn table_scan(mut c: C<'_>, table: u32, out: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    env.note_read(table);
    let mut iter = env.new_iter();
    {
        let tx = tx!(env);
        for (_, row) in check!(tx.table(table)).iter() {
            iter.push(row);
        }
    }
    register(mem, env, iter, out)
}

/// A point key's slots in index `index_id`, or the errno.
fn point_slots(tx: &MutTx, index: &IndexRef, key: &[u8]) -> Result<Result<Slots, u32>> {
    let idx = match tx.table(index.table) {
        Ok(t) => match t.indexes.get(index.index as usize) {
            Some(idx) => idx,
            None => return Ok(Err(errno::NO_SUCH_INDEX)),
        },
        Err(e) => return errno_of(e).map(Err),
    };
    let Ok(key) = idx.key_from_bsatn(&index.key_type, key) else {
        return Ok(Err(errno::BSATN_DECODE_ERROR));
    };
    match tx.index_slots(index.table, index.index, &key) {
        Ok(slots) => Ok(Ok(slots)),
        Err(e) => errno_of(e).map(Err),
    }
}

fn index_scan_point(mut c: C<'_>, index_id: u32, ptr: u32, len: u32, out: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    let catalog = env.catalog.clone();
    let Some(index) = catalog.index(index_id) else {
        return Ok(errno::NO_SUCH_INDEX);
    };
    let key = slice(mem, ptr, len)?;
    let slots = {
        let tx = tx!(env);
        match point_slots(tx, index, key)? {
            Ok(slots) => slots,
            Err(code) => return Ok(code),
        }
    };
    env.note_key_read(index, key);
    iterate(mem, env, index.table, slots.as_slice(), out)
}

fn delete_by_point(mut c: C<'_>, index_id: u32, ptr: u32, len: u32, out: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    let catalog = env.catalog.clone();
    let Some(index) = catalog.index(index_id) else {
        return Ok(errno::NO_SUCH_INDEX);
    };
    writable!(env, index.table);
    let tx = tx!(env);
    let slots = match point_slots(tx, index, slice(mem, ptr, len)?)? {
        Ok(slots) => slots,
        Err(code) => return Ok(code),
    };
    let n = check!(tx.delete_slots(index.table, slots.into_vec()));
    write_u32(mem, out, n as u32)?;
    Ok(errno::OK)
}

/// A range scan's arguments, decoded: the key prefix and the bounds on the next column.
type Range = (
    Vec<AlgebraicValue>,
    Bound<AlgebraicValue>,
    Bound<AlgebraicValue>,
);

fn decode_range(
    index: &IndexRef,
    prefix: &[u8],
    elems: u32,
    start: &[u8],
    end: &[u8],
) -> Result<Range, DecodeError> {
    let ts = Typespace::default();
    let n = elems as usize;
    let Some(bound_type) = index.column_types.get(n) else {
        return Err(DecodeError::InvalidValue {
            what: "range scan",
            detail: format!(
                "a prefix of {n} columns leaves no column to bound in an index of {}",
                index.columns.len()
            ),
        });
    };
    let mut r = Reader::new(prefix);
    // `n` is below the number of columns (the bound's column exists, checked above).
    let prefix = index
        .column_types
        .get(..n)
        .unwrap_or_default()
        .iter()
        .map(|ty| AlgebraicValue::decode(ty, &ts, &mut r))
        .collect::<Result<Vec<_>, _>>()?;
    r.finish()?;
    let bound = |bytes: &[u8]| -> Result<Bound<AlgebraicValue>, DecodeError> {
        let mut r = Reader::new(bytes);
        let b = match r.u8("bound")? {
            0 => Bound::Included(AlgebraicValue::decode(bound_type, &ts, &mut r)?),
            1 => Bound::Excluded(AlgebraicValue::decode(bound_type, &ts, &mut r)?),
            2 => Bound::Unbounded,
            tag => {
                return Err(DecodeError::InvalidTag {
                    what: "bound",
                    tag,
                    variants: 3,
                })
            }
        };
        r.finish()?;
        Ok(b)
    };
    Ok((prefix, bound(start)?, bound(end)?))
}

/// A range scan's slots, or the errno.
#[allow(clippy::too_many_arguments)]
fn range_slots(
    mem: &[u8],
    tx: &MutTx,
    index: &IndexRef,
    prefix_ptr: u32,
    prefix_len: u32,
    elems: u32,
    start_ptr: u32,
    start_len: u32,
    end_ptr: u32,
    end_len: u32,
) -> Result<Result<Vec<RowId>, u32>> {
    let prefix = if elems == 0 {
        &[][..]
    } else {
        slice(mem, prefix_ptr, prefix_len)?
    };
    let (start, end) = (
        slice(mem, start_ptr, start_len)?,
        slice(mem, end_ptr, end_len)?,
    );
    let Ok((prefix, lo, hi)) = decode_range(index, prefix, elems, start, end) else {
        return Ok(Err(errno::BSATN_DECODE_ERROR));
    };
    match tx.index_range_slots(index.table, index.index, &prefix, lo.as_ref(), hi.as_ref()) {
        Ok(Some(slots)) => Ok(Ok(slots)),
        Ok(None) => Ok(Err(errno::WRONG_INDEX_ALGO)),
        Err(e) => errno_of(e).map(Err),
    }
}

#[allow(clippy::too_many_arguments)]
fn index_scan_range(
    mut c: C<'_>,
    index_id: u32,
    prefix_ptr: u32,
    prefix_len: u32,
    elems: u32,
    start_ptr: u32,
    start_len: u32,
    end_ptr: u32,
    end_len: u32,
    out: u32,
) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    let catalog = env.catalog.clone();
    let Some(index) = catalog.index(index_id) else {
        return Ok(errno::NO_SUCH_INDEX);
    };
    let slots = {
        let tx = tx!(env);
        match range_slots(
            mem, tx, index, prefix_ptr, prefix_len, elems, start_ptr, start_len, end_ptr, end_len,
        )? {
            Ok(slots) => slots,
            Err(code) => return Ok(code),
        }
    };
    env.note_read(index.table);
    iterate(mem, env, index.table, &slots, out)
}

#[allow(clippy::too_many_arguments)]
fn delete_by_range(
    mut c: C<'_>,
    index_id: u32,
    prefix_ptr: u32,
    prefix_len: u32,
    elems: u32,
    start_ptr: u32,
    start_len: u32,
    end_ptr: u32,
    end_len: u32,
    out: u32,
) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    let catalog = env.catalog.clone();
    let Some(index) = catalog.index(index_id) else {
        return Ok(errno::NO_SUCH_INDEX);
    };
    writable!(env, index.table);
    let tx = tx!(env);
    let slots = match range_slots(
        mem, tx, index, prefix_ptr, prefix_len, elems, start_ptr, start_len, end_ptr, end_len,
    )? {
        Ok(slots) => slots,
        Err(code) => return Ok(code),
    };
    let n = check!(tx.delete_slots(index.table, slots));
    write_u32(mem, out, n as u32)?;
    Ok(errno::OK)
}

/// Deletes each row of a BSATN `Vec<Row>` that is in the table; the count goes to `out`.
fn delete_by_value(mut c: C<'_>, table: u32, ptr: u32, len: u32, out: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    writable!(env, table);
    let tx = tx!(env);
    let rows = slice(mem, ptr, len)?;
    // The rows are a BSATN array (`Vec<Row>`): find each one's end by stepping over it, all of
    // them before deleting any, so a malformed list changes nothing.
    let layout = check!(tx.table(table)).layout.clone();
    let mut r = Reader::new(rows);
    let Ok(count) = r.length("rows", 0) else {
        return Ok(errno::BSATN_DECODE_ERROR);
    };
    let first = r.position();
    let mut ends = Vec::with_capacity(count);
    for _ in 0..count {
        if lightcone_protocol::sats::skip_product(&layout.row_type, &Typespace::default(), &mut r)
            .is_err()
        {
            return Ok(errno::BSATN_DECODE_ERROR);
        }
        ends.push(r.position());
    }
    if r.finish().is_err() {
        return Ok(errno::BSATN_DECODE_ERROR);
    }
    let (mut deleted, mut start) = (0u32, first);
    for end in ends {
        // The ends are the reader's positions within `rows`.
        let row = rows.get(start..end).unwrap_or_default();
        deleted += check!(tx.delete_bsatn(table, row)) as u32;
        start = end;
    }
    write_u32(mem, out, deleted)?;
    Ok(errno::OK)
}

fn clear(mut c: C<'_>, table: u32, out: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    writable!(env, table);
    let tx = tx!(env);
    let slots: Vec<RowId> = check!(tx.table(table))
        .iter()
        .map(|(slot, _)| slot)
        .collect();
    let n = check!(tx.delete_slots(table, slots));
    write_u64(mem, out, n as u64)?;
    Ok(errno::OK)
}

/// Writes the generated (`auto_inc`) columns of `row`, concatenated in column order, to the
/// start of the module's row buffer, and their length to `len_ptr`.
fn write_back_generated(
    mem: &mut [u8],
    tx: &MutTx,
    table: u32,
    row_ptr: u32,
    row_len: u32,
    len_ptr: u32,
) -> Result<()> {
    let t = tx.table(table).map_err(|e| wasmtime::format_err!("{e}"))?;
    if t.sequences.is_empty() {
        return write_u32(mem, len_ptr, 0);
    }
    let row = slice(mem, row_ptr, row_len)?.to_vec();
    let mut cols: Vec<u16> = t.sequences.iter().map(|s| s.column).collect();
    cols.sort_unstable();
    let mut generated = Vec::new();
    for col in cols {
        generated.extend_from_slice(t.layout.column(&row, col as usize));
    }
    slice_mut(mem, row_ptr, generated.len() as u32)?.copy_from_slice(&generated);
    write_u32(mem, len_ptr, generated.len() as u32)
}

fn insert(mut c: C<'_>, table: u32, row_ptr: u32, len_ptr: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    writable!(env, table);
    let tx = tx!(env);
    let len = read_u32(mem, len_ptr)?;
    check!(tx.insert_bsatn(table, slice_mut(mem, row_ptr, len)?));
    write_back_generated(mem, tx, table, row_ptr, len, len_ptr)?;
    Ok(errno::OK)
}

fn update(mut c: C<'_>, table: u32, index_id: u32, row_ptr: u32, len_ptr: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    writable!(env, table);
    let Some(index_pos) = env
        .catalog
        .index(index_id)
        .filter(|i| i.table == table)
        .map(|i| i.index)
    else {
        return Ok(errno::NO_SUCH_INDEX);
    };
    let tx = tx!(env);
    let len = read_u32(mem, len_ptr)?;
    check!(tx.update_bsatn(table, index_pos, slice(mem, row_ptr, len)?));
    write_back_generated(mem, tx, table, row_ptr, len, len_ptr)?;
    Ok(errno::OK)
}
