//! Views through the real server (tests/modules/unstable): per-caller and anonymous views
//! subscribed like tables, refreshed when a commit touches what they read, each subscriber
//! receiving the change of its own materialization; a failing view is an error to its
//! subscribers only.

mod support;

use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::protocol::ws::row_list::BsatnRowList;
use lightcone_client_core::protocol::ws::v2::*;
use lightcone_client_core::{ConnectOptions, Connection};
use support::{ws, Server};

fn connect(server: &Server) -> Connection {
    let mut c = Connection::connect(&server.base, "views", &ConnectOptions::default()).unwrap();
    c.set_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    c
}

fn subscribe(c: &mut Connection, set: u32, sql: &str) -> ServerMessage {
    support::ws::subscribe_reply(c, set, &[sql])
}

/// The notes (one `String` column) of a row list.
fn notes(list: &BsatnRowList) -> Vec<String> {
    list.rows()
        .unwrap()
        .iter()
        .map(|r| bsatn::from_slice::<String>(r).unwrap())
        .collect()
}

fn initial(reply: ServerMessage) -> Vec<String> {
    match reply {
        // A view without rows is left out of the reply.
        ServerMessage::SubscribeApplied(a) => a
            .rows
            .tables
            .first()
            .map_or_else(Vec::new, |t| notes(&t.rows)),
        other => panic!("{other:?}"),
    }
}

/// (inserted, deleted) notes of the only change in the next update.
fn change(c: &mut Connection) -> (Vec<String>, Vec<String>) {
    let ServerMessage::TransactionUpdate(u) = c.recv().unwrap() else {
        panic!()
    };
    let TableUpdateRows::PersistentTable(rows) = &u.query_sets[0].tables[0].rows[0] else {
        panic!()
    };
    (notes(&rows.inserts), notes(&rows.deletes))
}

#[test]
fn views_are_subscribed_like_tables_and_follow_what_they_read() {
    let (server, owner) = Server::with_module("views", "server/host/tests/modules/unstable");
    let mut alice = connect(&server);
    let mut bob = connect(&server);
    let mut writer = connect(&server);
    let mut carol = connect(&server);
    let (a, b) = (alice.identity, bob.identity);
    // A query view: its subscribers get the query it returns, under its name, narrowed by
    // their own condition.
    assert!(initial(subscribe(&mut carol, 1, "SELECT * FROM x_hits")).is_empty());
    assert!(initial(subscribe(
        &mut carol,
        2,
        "SELECT * FROM x_hits WHERE note = 'y'"
    ))
    .is_empty());

    // Per caller: each sees its own row.
    assert_eq!(
        initial(subscribe(&mut alice, 1, "SELECT * FROM my_hits")),
        [format!("0 hits for {a}")]
    );
    assert_eq!(
        initial(subscribe(&mut bob, 1, "SELECT * FROM my_hits")),
        [format!("0 hits for {b}")]
    );
    // Anonymous, with a filter.
    assert_eq!(
        initial(subscribe(
            &mut alice,
            2,
            "SELECT * FROM hit_count WHERE note <> 'x'"
        )),
        ["0"]
    );

    // A reducer writes the table the views read: each subscriber gets its view's change.
    writer
        .send(&ClientMessage::CallReducer(CallReducer {
            request_id: 1,
            flags: 0,
            reducer: "record".into(),
            args: bsatn::to_vec(&"x".to_owned()).into(),
        }))
        .unwrap();
    assert!(matches!(
        writer.recv().unwrap(),
        ServerMessage::ReducerResult(_)
    ));
    let ServerMessage::TransactionUpdate(u) = alice.recv().unwrap() else {
        panic!()
    };
    let sets: Vec<u32> = u.query_sets.iter().map(|s| s.query_set_id.id).collect();
    assert_eq!(sets, [1, 2]);
    let TableUpdateRows::PersistentTable(mine) = &u.query_sets[0].tables[0].rows[0] else {
        panic!()
    };
    assert_eq!(notes(&mine.inserts), [format!("1 hits for {a}")]);
    assert_eq!(notes(&mine.deletes), [format!("0 hits for {a}")]);
    assert_eq!(&*u.query_sets[0].tables[0].table_name, "my_hits");
    assert_eq!(
        change(&mut bob),
        (
            vec![format!("1 hits for {b}")],
            vec![format!("0 hits for {b}")]
        )
    );

    // One-off queries read views too.
    writer
        .send(&ClientMessage::OneOffQuery(OneOffQuery {
            request_id: 2,
            query_string: "SELECT * FROM all_notes".into(),
        }))
        .unwrap();
    let ServerMessage::OneOffQueryResult(OneOffQueryResult {
        result: Ok(rows), ..
    }) = writer.recv().unwrap()
    else {
        panic!()
    };
    assert_eq!(notes(&rows.tables[0].rows), ["hit 0"]);

    // HTTP SQL reads views too (the owner's own per-caller row; the shared count).
    let sql = |body: &[u8]| {
        let r = server.request(
            "POST",
            "/v1/database/views/sql",
            Some(&owner),
            Some(("text/plain", body)),
        );
        assert_eq!(r.status, 200, "{r:?}");
        r.body
    };
    assert!(sql(b"SELECT * FROM hit_count").contains(r#""rows":[["1"]]"#));
    assert!(sql(b"SELECT * FROM my_hits WHERE note <> ''").contains("1 hits for "));
    assert!(sql(b"SELECT * FROM x_hits").contains(r#""rows":[["x"]]"#));
    assert!(sql(b"SELECT * FROM x_hits WHERE note = 'x'").contains(r#""rows":[["x"]]"#));
    assert!(sql(b"SELECT * FROM x_hits WHERE note <> 'x'").contains(r#""rows":[]"#));
    // Columns, COUNT(*) and LIMIT over a view.
    assert!(sql(b"SELECT COUNT(*) AS n FROM all_notes").contains(r#""rows":[[1]]"#));
    let named = sql(b"SELECT note AS total FROM hit_count");
    assert!(
        named.contains(r#""total""#) && named.contains(r#""rows":[["1"]]"#),
        "{named}"
    );
    assert!(sql(b"SELECT * FROM x_hits LIMIT 0").contains(r#""rows":[]"#));

    // A view that fails is an error to whoever subscribes to it.
    let ServerMessage::SubscriptionError(e) = subscribe(&mut bob, 2, "SELECT * FROM broken") else {
        panic!()
    };
    assert!(e.error.contains("this view is broken"), "{}", e.error);
    assert_eq!(e.request_id, Some(2));
    // Unknown columns of a view are refused like a table's.
    let ServerMessage::SubscriptionError(e) =
        subscribe(&mut bob, 3, "SELECT * FROM my_hits WHERE nope = 1")
    else {
        panic!()
    };
    assert!(e.error.contains("nope"), "{}", e.error);
}

/// `lightcone_view_refreshes_total` of the only database.
fn view_refreshes(server: &Server) -> u64 {
    let metrics = server.request("GET", "/metrics", None, None).body;
    let line = metrics
        .lines()
        .find(|l| l.starts_with("lightcone_view_refreshes_total{"))
        .unwrap_or_else(|| panic!("no view refresh metric: {metrics}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn only_the_views_whose_rows_changed_run_again() {
    let (server, _) = Server::with_module("views", "server/host/tests/modules/unstable");
    let mut alice = connect(&server);
    let mut bob = connect(&server);
    assert!(initial(subscribe(&mut alice, 1, "SELECT * FROM my_owned")).is_empty());
    assert!(initial(subscribe(&mut bob, 1, "SELECT * FROM my_owned")).is_empty());
    let before = view_refreshes(&server);

    // Alice's note: her view runs again (its change comes inside her ReducerResult); Bob's,
    // which looked up only Bob's key, does not.
    alice
        .send(&ClientMessage::CallReducer(CallReducer {
            request_id: 1,
            flags: 0,
            reducer: "own".into(),
            args: bsatn::to_vec(&"mine".to_owned()).into(),
        }))
        .unwrap();
    let ServerMessage::ReducerResult(r) = alice.recv().unwrap() else {
        panic!()
    };
    let ReducerOutcome::Ok(ok) = r.result else {
        panic!("{:?}", r.result)
    };
    let TableUpdateRows::PersistentTable(rows) =
        &ok.transaction_update.query_sets[0].tables[0].rows[0]
    else {
        panic!()
    };
    let inserted = rows.inserts.rows().unwrap();
    assert_eq!(
        &inserted[0][..32],
        bsatn::to_vec(&alice.identity).as_slice()
    );
    assert_eq!(
        view_refreshes(&server),
        before + 1,
        "only Alice's view ran again"
    );
    bob.send(&ClientMessage::OneOffQuery(OneOffQuery {
        request_id: 9,
        query_string: "SELECT * FROM my_owned".into(),
    }))
    .unwrap();
    let ServerMessage::OneOffQueryResult(OneOffQueryResult {
        result: Ok(rows), ..
    }) = bob.recv().unwrap()
    else {
        panic!("Bob got something before his own answer")
    };
    assert!(rows.tables[0].rows.is_empty());
}

/// A `(player, points)` row of `score` / `my_score`.
fn score_row(bytes: &[u8]) -> (Vec<u8>, u32) {
    let (player, points) = bytes.split_at(32);
    (
        player.to_vec(),
        u32::from_le_bytes(points.try_into().unwrap()),
    )
}

/// The (inserted, deleted) rows of table `name` in `update`, all query sets together.
fn rows_of(update: &TransactionUpdate, name: &str) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let (mut ins, mut del) = (Vec::new(), Vec::new());
    for set in &update.query_sets {
        for t in set.tables.iter().filter(|t| &*t.table_name == name) {
            for rows in &t.rows {
                let TableUpdateRows::PersistentTable(p) = rows else {
                    panic!()
                };
                ins.extend(p.inserts.rows().unwrap().iter().map(|r| r.to_vec()));
                del.extend(p.deletes.rows().unwrap().iter().map(|r| r.to_vec()));
            }
        }
    }
    (ins, del)
}

/// The notes of `owned` rows (an identity, then the note).
fn owned_notes(rows: &[Vec<u8>]) -> Vec<String> {
    let mut notes: Vec<String> = rows
        .iter()
        .map(|r| bsatn::from_slice::<String>(&r[32..]).unwrap())
        .collect();
    notes.sort();
    notes
}

#[test]
fn a_keyed_view_updates_in_place_and_views_join_tables() {
    let (server, owner) = Server::with_module("views", "server/host/tests/modules/unstable");
    let mut alice = connect(&server);
    let mut bob = connect(&server);
    let me = alice.identity.to_le_bytes().to_vec();
    // Alice holds her score, her notes while her score is over 10 (a view joined with a
    // table, returning the table's rows), and her score once per note (returning the view's).
    let queries = [
        "SELECT * FROM my_score",
        "SELECT o.* FROM my_score s JOIN owned o ON s.player = o.owner WHERE s.points > 10",
        "SELECT s.* FROM owned o JOIN my_score s ON o.owner = s.player",
    ];
    alice
        .send(&ClientMessage::Subscribe(Subscribe {
            request_id: 1,
            query_set_id: QuerySetId { id: 1 },
            query_strings: queries.iter().map(|q| (*q).into()).collect(),
        }))
        .unwrap();
    let ServerMessage::SubscribeApplied(applied) = alice.recv().unwrap() else {
        panic!()
    };
    assert!(applied.rows.tables.iter().all(|t| t.rows.is_empty()));

    // A note without a score joins nothing.
    let u = ws::call_ok(&mut alice, "own", bsatn::to_vec(&"a1".to_owned()));
    assert_eq!(rows_of(&u, "owned"), (vec![], vec![]));
    // A score of 5: the keyed view gets its row; the filter keeps the note out; the view's
    // row comes once per note.
    let u = ws::call_ok(&mut alice, "set_score", bsatn::to_vec(&5u32));
    let (ins, del) = rows_of(&u, "my_score");
    assert!(del.is_empty());
    assert_eq!(ins.len(), 2, "once by itself, once through the note");
    assert!(ins.iter().all(|r| score_row(r) == (me.clone(), 5)));
    assert_eq!(rows_of(&u, "owned"), (vec![], vec![]));

    // 20: the keyed view's row changes in place — its old and new rows of the same key in
    // one update, which SDKs with the view's primary key turn into an update — and the join
    // now lets the note through.
    let u = ws::call_ok(&mut alice, "set_score", bsatn::to_vec(&20u32));
    let (ins, del) = rows_of(&u, "my_score");
    assert_eq!(ins.len(), 2);
    assert_eq!(del.len(), 2);
    assert!(ins.iter().all(|r| score_row(r) == (me.clone(), 20)));
    assert!(del.iter().all(|r| score_row(r) == (me.clone(), 5)));
    let (ins, del) = rows_of(&u, "owned");
    assert_eq!((owned_notes(&ins), del.len()), (vec!["a1".to_owned()], 0));

    // A second note joins the score: the note arrives, and the score once more.
    let u = ws::call_ok(&mut alice, "own", bsatn::to_vec(&"a2".to_owned()));
    let (ins, _) = rows_of(&u, "owned");
    assert_eq!(owned_notes(&ins), ["a2"]);
    let (ins, del) = rows_of(&u, "my_score");
    assert_eq!((ins.len(), del.len()), (1, 0));

    // Bob's notes and score reach none of Alice's queries.
    ws::call_ok(&mut bob, "own", bsatn::to_vec(&"b1".to_owned()));
    ws::call_ok(&mut bob, "set_score", bsatn::to_vec(&50u32));
    alice
        .send(&ClientMessage::OneOffQuery(OneOffQuery {
            request_id: 7,
            query_string: queries[1].into(),
        }))
        .unwrap();
    let ServerMessage::OneOffQueryResult(r) = alice.recv().unwrap() else {
        panic!("Alice received something before the probe's answer")
    };
    let rows = r.result.unwrap().tables[0].rows.rows().unwrap();
    let rows: Vec<Vec<u8>> = rows.iter().map(|r| r.to_vec()).collect();
    assert_eq!(owned_notes(&rows), ["a1", "a2"], "the one-off query agrees");

    // Down to 1: both notes leave the join.
    let u = ws::call_ok(&mut alice, "set_score", bsatn::to_vec(&1u32));
    let (ins, del) = rows_of(&u, "owned");
    assert_eq!(
        (ins.len(), owned_notes(&del)),
        (0, vec!["a1".into(), "a2".into()])
    );

    // HTTP SQL takes the join too, per caller: the owner has no score, so no rows.
    let r = server.request(
        "POST",
        "/v1/database/views/sql",
        Some(&owner),
        Some(("", queries[2].as_bytes())),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.contains("\"rows\":[]"), "{}", r.body);
    // Two views join too: Bob's score once per note of his.
    let bob_id = bob.identity.to_le_bytes().to_vec();
    let pair = "SELECT a.* FROM my_score a JOIN my_owned b ON a.player = b.owner";
    let ServerMessage::SubscribeApplied(applied) = subscribe(&mut bob, 8, pair) else {
        panic!("{pair}")
    };
    let rows = applied.rows.tables[0].rows.rows().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(score_row(&rows[0]), (bob_id.clone(), 50));
    // Another note of his: the score arrives once more (the notes view changed).
    let u = ws::call_ok(&mut bob, "own", bsatn::to_vec(&"b2".to_owned()));
    let (ins, del) = rows_of(&u, "my_score");
    assert_eq!((ins.len(), del.len()), (1, 0));
    assert_eq!(score_row(&ins[0]), (bob_id.clone(), 50));
    // A new score: both copies change (the score view changed).
    let u = ws::call_ok(&mut bob, "set_score", bsatn::to_vec(&60u32));
    let (ins, del) = rows_of(&u, "my_score");
    assert_eq!((ins.len(), del.len()), (2, 2));
    assert!(ins.iter().all(|r| score_row(r) == (bob_id.clone(), 60)));
    assert!(del.iter().all(|r| score_row(r) == (bob_id.clone(), 50)));

    // A view's join partner table needs an index.
    let sql = "SELECT o.* FROM my_score s JOIN hits o ON s.player = o.note";
    let ServerMessage::SubscriptionError(e) = subscribe(&mut bob, 9, sql) else {
        panic!("{sql}")
    };
    assert!(e.error.contains("indexes on join columns"), "{}", e.error);
}

/// A view returning a query joins as its query's rows (as SpacetimeDB materializes them): a
/// view over a keyed table joined with a table, and two such views joined; a change to the
/// table the query reads reaches the join, an update of a key as its old and new row in one
/// update.
#[test]
fn a_query_view_joins_as_the_rows_of_its_query() {
    let (server, _) = Server::with_module("views", "server/host/tests/modules/unstable");
    let mut alice = connect(&server);
    let me = alice.identity.to_le_bytes().to_vec();
    let queries = [
        // Returns the (per-caller) query view's rows, once per note of their player.
        "SELECT s.* FROM owned o JOIN all_scores s ON o.owner = s.player",
        // Two query views: the high scores that are also scores.
        "SELECT b.* FROM all_scores a JOIN high_scores b ON a.player = b.player",
    ];
    alice
        .send(&ClientMessage::Subscribe(Subscribe {
            request_id: 1,
            query_set_id: QuerySetId { id: 1 },
            query_strings: queries.iter().map(|q| (*q).into()).collect(),
        }))
        .unwrap();
    match alice.recv().unwrap() {
        ServerMessage::SubscribeApplied(a) => assert!(a.rows.tables.is_empty(), "{a:?}"),
        other => panic!("{other:?}"),
    }
    let score =
        |rows: &[Vec<u8>]| -> Vec<(Vec<u8>, u32)> { rows.iter().map(|r| score_row(r)).collect() };

    ws::call_ok(&mut alice, "own", bsatn::to_vec(&"a1".to_owned()));
    // A score of 5 reaches the join through the note; it is not high.
    let u = ws::call_ok(&mut alice, "set_score", bsatn::to_vec(&5u32));
    let (ins, del) = rows_of(&u, "all_scores");
    assert_eq!((score(&ins), del.len()), (vec![(me.clone(), 5)], 0));
    assert_eq!(rows_of(&u, "high_scores"), (vec![], vec![]));
    // 20: the joined row changes in place, and the pair of views now lets it through.
    let u = ws::call_ok(&mut alice, "set_score", bsatn::to_vec(&20u32));
    let (ins, del) = rows_of(&u, "all_scores");
    assert_eq!(
        (score(&ins), score(&del)),
        (vec![(me.clone(), 20)], vec![(me.clone(), 5)])
    );
    let (ins, del) = rows_of(&u, "high_scores");
    assert_eq!((score(&ins), del.len()), (vec![(me.clone(), 20)], 0));
    // 30: both joins carry the update as the key's old and new rows.
    let u = ws::call_ok(&mut alice, "set_score", bsatn::to_vec(&30u32));
    let (ins, del) = rows_of(&u, "high_scores");
    assert_eq!(
        (score(&ins), score(&del)),
        (vec![(me.clone(), 30)], vec![(me.clone(), 20)])
    );
    // A one-off query takes the same join.
    alice
        .send(&ClientMessage::OneOffQuery(OneOffQuery {
            request_id: 7,
            query_string: queries[0].into(),
        }))
        .unwrap();
    let ServerMessage::OneOffQueryResult(r) = alice.recv().unwrap() else {
        panic!("Alice received something before the probe's answer")
    };
    let rows = r.result.unwrap().tables[0].rows.rows().unwrap();
    let rows: Vec<Vec<u8>> = rows.iter().map(|r| r.to_vec()).collect();
    assert_eq!(score(&rows), [(me.clone(), 30)]);
}
