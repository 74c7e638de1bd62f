//! Encoding and decoding throughput of a 1,000-row `TransactionUpdate` of a typical game row
//! `(id: u64, x: f32, y: f32, z: f32, name: String /* 16 bytes */)`.
//!
//! Run: `cargo bench -p lightcone-protocol --bench codec`. Criterion reports MB/s of message
//! bytes for each step.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lightcone_protocol::bsatn::{self, Reader};
use lightcone_protocol::sats::{
    AlgebraicType, AlgebraicValue, ProductType, ProductValue, Typespace, F32,
};
use lightcone_protocol::ws::v2::*;
use lightcone_protocol::ws::RowListBuilder;

const ROWS: usize = 1_000;

lightcone_protocol::bsatn_struct! {
    /// The typed row, as a module or generated client code would hold it.
    struct Row { id: u64, x: f32, y: f32, z: f32, name: String }
}

fn rows() -> Vec<Row> {
    (0..ROWS as u64)
        .map(|i| Row {
            id: i,
            x: i as f32 * 0.5,
            y: -(i as f32),
            z: 1.0 / (i as f32 + 1.0),
            name: format!("player-{i:09}"),
        })
        .collect()
}

fn row_type() -> ProductType {
    ProductType::named([
        ("id", AlgebraicType::U64),
        ("x", AlgebraicType::F32),
        ("y", AlgebraicType::F32),
        ("z", AlgebraicType::F32),
        ("name", AlgebraicType::String),
    ])
}

/// A one-table `TransactionUpdate` carrying `inserts`.
fn update_of(inserts: lightcone_protocol::ws::BsatnRowList) -> ServerMessage {
    ServerMessage::TransactionUpdate(TransactionUpdate {
        query_sets: vec![QuerySetUpdate {
            query_set_id: QuerySetId { id: 1 },
            tables: vec![TableUpdate {
                table_name: "player".into(),
                rows: vec![TableUpdateRows::PersistentTable(PersistentTableRows {
                    inserts,
                    deletes: Default::default(),
                })],
            }],
        }],
    })
}

fn message(rows: &[Row]) -> ServerMessage {
    let mut inserts = RowListBuilder::with_capacity(rows.len(), rows.len() * 36);
    for row in rows {
        inserts.push(row);
    }
    update_of(inserts.finish())
}

/// Decodes the message and splits out its inserted rows (the part every client does).
fn inserted_rows(bytes: &[u8]) -> Vec<bytes::Bytes> {
    let ServerMessage::TransactionUpdate(tu) = bsatn::from_slice::<ServerMessage>(bytes).unwrap()
    else {
        unreachable!("the benchmark message is a TransactionUpdate")
    };
    let TableUpdateRows::PersistentTable(p) = &tu.query_sets[0].tables[0].rows[0] else {
        unreachable!("the benchmark table is persistent")
    };
    p.inserts.rows().unwrap()
}

fn bench(c: &mut Criterion) {
    let rows = rows();
    let bytes = bsatn::to_vec(&message(&rows));
    assert_eq!(rows[0].name.len(), 16);
    let ty = row_type();
    let dyn_rows: Vec<AlgebraicValue> = rows
        .iter()
        .map(|r| {
            AlgebraicValue::product(vec![
                AlgebraicValue::U64(r.id),
                AlgebraicValue::F32(F32(r.x)),
                AlgebraicValue::F32(F32(r.y)),
                AlgebraicValue::F32(F32(r.z)),
                AlgebraicValue::string(r.name.as_str()),
            ])
        })
        .collect();

    let mut g = c.benchmark_group("transaction_update_1000_rows");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("encode_typed_rows_and_message", |b| {
        b.iter(|| bsatn::to_vec(&message(black_box(&rows))))
    });
    g.bench_function("encode_dynamic_rows_and_message", |b| {
        b.iter(|| {
            let mut list = RowListBuilder::with_capacity(ROWS, ROWS * 36);
            for row in black_box(&dyn_rows) {
                list.push(row);
            }
            let msg = update_of(list.finish());
            bsatn::to_vec(&msg)
        })
    });
    g.bench_function("decode_message_only", |b| {
        b.iter(|| bsatn::from_slice::<ServerMessage>(black_box(&bytes)).unwrap())
    });
    g.bench_function("decode_message_and_rows_dynamic", |b| {
        b.iter(|| {
            let ts = Typespace::default();
            let mut out = Vec::with_capacity(ROWS);
            for row in inserted_rows(black_box(&bytes)) {
                out.push(ProductValue::decode(&ty, &ts, &mut Reader::new(&row)).unwrap());
            }
            out
        })
    });
    g.bench_function("decode_message_and_rows_typed", |b| {
        b.iter(|| {
            inserted_rows(black_box(&bytes))
                .iter()
                .map(|r| bsatn::from_slice::<Row>(r).unwrap())
                .collect::<Vec<_>>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
