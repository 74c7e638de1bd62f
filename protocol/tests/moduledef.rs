//! Module definitions: built with the published `spacetimedb-lib` types (the form the
//! published module bindings write), decoded and re-encoded by us byte for byte, then
//! validated into a `ModuleDef` whose names, keys and functions are checked.

use lightcone_protocol::bsatn;
use lightcone_protocol::moduledef::raw_v10::FunctionVisibility as OurVisibility;
use lightcone_protocol::moduledef::raw_v9::{Lifecycle as OurLifecycle, TableAccess as OurAccess};
use lightcone_protocol::moduledef::{
    IndexAlgorithm, ModuleDef, RawModuleDef, ScheduledFunction, ValidationError, ViewReturnKind,
};
use lightcone_protocol::sats::{AlgebraicType, AlgebraicValue};
use spacetimedb_lib::db::raw_def::v10::*;
use spacetimedb_lib::db::raw_def::v9::*;
use spacetimedb_lib::{bsatn as their_bsatn, AlgebraicType as T, ProductType as PT};
use spacetimedb_sats::raw_identifier::RawIdentifier;
use spacetimedb_sats::{AlgebraicTypeRef, Typespace};

fn id(s: &str) -> RawIdentifier {
    RawIdentifier::new(s)
}

/// Our type, as the published crate's type (through BSATN, which both agree on).
fn theirs(t: AlgebraicType) -> T {
    their_bsatn::from_slice(&bsatn::to_vec(&t)).unwrap()
}

fn named(fields: &[(&'static str, T)]) -> T {
    let elements: Vec<_> = fields
        .iter()
        .map(|(n, t)| spacetimedb_sats::ProductTypeElement::new_named(t.clone(), *n))
        .collect();
    T::Product(PT::new(elements.into()))
}

/// Types: 0 = Player row, 1 = Tick row (scheduled), 2 = Message row, 3 = Color enum.
fn typespace() -> Typespace {
    Typespace::new(vec![
        named(&[
            ("playerId", T::U64),
            ("displayName", T::String),
            ("owner", T::identity()),
            ("score", T::I32),
            ("color", T::Ref(AlgebraicTypeRef(3))),
        ]),
        named(&[
            ("scheduled_id", T::U64),
            ("scheduled_at", theirs(AlgebraicType::schedule_at())),
            ("note", T::String),
        ]),
        named(&[
            ("sender", T::identity()),
            ("sent", T::timestamp()),
            ("text", T::String),
        ]),
        T::simple_enum(["Red", "GreenBlue"].into_iter()),
    ])
}

fn player_table() -> RawTableDefV10 {
    RawTableDefV10 {
        source_name: id("PlayerState"),
        product_type_ref: AlgebraicTypeRef(0),
        primary_key: [0u16].into(),
        indexes: vec![
            RawIndexDefV10 {
                source_name: Some(id("PlayerState_playerId_idx_btree")),
                accessor_name: Some(id("playerId")),
                algorithm: RawIndexAlgorithm::BTree {
                    columns: [0u16].into(),
                },
            },
            RawIndexDefV10 {
                source_name: Some(id("PlayerState_owner_score_idx_btree")),
                accessor_name: None,
                algorithm: RawIndexAlgorithm::BTree {
                    columns: [2u16, 3].into(),
                },
            },
            RawIndexDefV10 {
                source_name: Some(id("PlayerState_displayName_idx_hash")),
                accessor_name: Some(id("by_name")),
                algorithm: RawIndexAlgorithm::Hash {
                    columns: [1u16].into(),
                },
            },
        ],
        constraints: vec![RawConstraintDefV10 {
            source_name: None,
            data: RawConstraintDataV9::Unique(RawUniqueConstraintDataV9 {
                columns: [0u16].into(),
            }),
        }],
        sequences: vec![RawSequenceDefV10 {
            source_name: None,
            column: 0u16.into(),
            start: Some(1),
            min_value: None,
            max_value: None,
            increment: 1,
        }],
        table_type: TableType::User,
        table_access: TableAccess::Public,
        default_values: vec![RawColumnDefaultValueV10 {
            col_id: 3u16.into(),
            value: bsatn::to_vec(&100i32).into(),
        }],
        is_event: false,
    }
}

fn tick_table() -> RawTableDefV10 {
    RawTableDefV10 {
        source_name: id("tick_timer"),
        product_type_ref: AlgebraicTypeRef(1),
        primary_key: [0u16].into(),
        indexes: vec![RawIndexDefV10 {
            source_name: Some(id("tick_timer_scheduled_id_idx_btree")),
            accessor_name: Some(id("scheduled_id")),
            algorithm: RawIndexAlgorithm::BTree {
                columns: [0u16].into(),
            },
        }],
        constraints: vec![RawConstraintDefV10 {
            source_name: None,
            data: RawConstraintDataV9::Unique(RawUniqueConstraintDataV9 {
                columns: [0u16].into(),
            }),
        }],
        sequences: vec![],
        table_type: TableType::User,
        table_access: TableAccess::Private,
        default_values: vec![],
        is_event: false,
    }
}

fn message_table() -> RawTableDefV10 {
    RawTableDefV10 {
        source_name: id("message"),
        product_type_ref: AlgebraicTypeRef(2),
        primary_key: Default::default(),
        indexes: vec![],
        constraints: vec![],
        sequences: vec![],
        table_type: TableType::User,
        table_access: TableAccess::Public,
        default_values: vec![],
        is_event: true,
    }
}

fn reducer(name: &str, params: PT) -> RawReducerDefV10 {
    RawReducerDefV10 {
        source_name: id(name),
        params,
        visibility: FunctionVisibility::ClientCallable,
        ok_return_type: T::unit(),
        err_return_type: T::String,
    }
}

fn full_v10_module() -> spacetimedb_lib::RawModuleDef {
    let mut explicit = spacetimedb_lib::ExplicitNames::default();
    explicit.insert_function("SendMsg", "send_message");
    let sections = vec![
        RawModuleDefV10Section::Typespace(typespace()),
        RawModuleDefV10Section::Types(vec![RawTypeDefV10 {
            source_name: RawScopedTypeNameV10 {
                scope: vec![id("game")].into(),
                source_name: id("color"),
            },
            ty: AlgebraicTypeRef(3),
            custom_ordering: true,
        }]),
        RawModuleDefV10Section::Tables(vec![player_table(), tick_table(), message_table()]),
        RawModuleDefV10Section::Reducers(vec![
            reducer("init", PT::unit()),
            reducer("SendMsg", PT::from([("text", T::String)])),
            reducer(
                "on_tick",
                PT::from([("timer", T::Ref(AlgebraicTypeRef(1)))]),
            ),
            reducer("identityConnected", PT::unit()),
        ]),
        RawModuleDefV10Section::Procedures(vec![RawProcedureDefV10 {
            source_name: id("fetch_weather"),
            params: PT::from([("city", T::String)]),
            return_type: T::String,
            visibility: FunctionVisibility::ClientCallable,
        }]),
        RawModuleDefV10Section::Views(vec![RawViewDefV10 {
            source_name: id("my_player"),
            index: 0,
            is_public: true,
            is_anonymous: false,
            params: PT::unit(),
            return_type: T::option(T::Ref(AlgebraicTypeRef(0))),
        }]),
        RawModuleDefV10Section::Schedules(vec![RawScheduleDefV10 {
            source_name: None,
            table_name: id("tick_timer"),
            schedule_at_col: 1u16.into(),
            function_name: id("on_tick"),
        }]),
        RawModuleDefV10Section::LifeCycleReducers(vec![
            RawLifeCycleReducerDefV10 {
                lifecycle_spec: Lifecycle::Init,
                function_name: id("init"),
            },
            RawLifeCycleReducerDefV10 {
                lifecycle_spec: Lifecycle::OnConnect,
                function_name: id("identityConnected"),
            },
        ]),
        RawModuleDefV10Section::RowLevelSecurity(vec![RawRowLevelSecurityDefV9 {
            sql: "SELECT * FROM message WHERE sender = :sender".into(),
        }]),
        RawModuleDefV10Section::CaseConversionPolicy(CaseConversionPolicy::SnakeCase),
        RawModuleDefV10Section::ExplicitNames(explicit),
        RawModuleDefV10Section::ViewPrimaryKeys(vec![RawViewPrimaryKeyDefV10 {
            view_source_name: id("my_player"),
            columns: vec![id("playerId")],
        }]),
    ];
    spacetimedb_lib::RawModuleDef::V10(RawModuleDefV10 { sections })
}

fn decode_and_reencode(theirs: &spacetimedb_lib::RawModuleDef) -> Vec<u8> {
    let bytes = their_bsatn::to_vec(theirs).unwrap();
    let ours: RawModuleDef = bsatn::from_slice(&bytes).unwrap();
    assert_eq!(
        hex::encode(bsatn::to_vec(&ours)),
        hex::encode(&bytes),
        "re-encoding differs"
    );
    bytes
}

#[test]
fn v10_module_roundtrips_and_validates() {
    let bytes = decode_and_reencode(&full_v10_module());
    let def = ModuleDef::from_bsatn(&bytes).unwrap();

    // Names: snake_case canonical names, accessors keep the source.
    let player = def.table("player_state").expect("canonical table name");
    assert_eq!(player.accessor_name, "PlayerState");
    let cols: Vec<_> = player
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.accessor_name.as_str()))
        .collect();
    assert_eq!(
        cols,
        [
            ("player_id", "playerId"),
            ("display_name", "displayName"),
            ("owner", "owner"),
            ("score", "score"),
            ("color", "color")
        ]
    );
    // The enum column is inlined, its variants camelCased.
    let color = &player.columns[4].ty;
    let AlgebraicType::Sum(s) = color else {
        panic!("{color:?}")
    };
    assert_eq!(s.variants[1].name.as_deref(), Some("greenBlue"));
    assert_eq!(player.columns[2].ty, AlgebraicType::identity());

    // Keys, indexes, sequences, defaults.
    assert_eq!(player.primary_key, Some(0));
    assert_eq!(
        player.unique_constraints[0].name,
        "player_state_player_id_key"
    );
    assert_eq!(player.indexes.len(), 3);
    assert_eq!(player.indexes[0].name, "player_state_player_id_idx_btree");
    assert_eq!(
        player.indexes[0].source_name,
        "PlayerState_playerId_idx_btree"
    );
    assert!(player.indexes[0].is_unique);
    assert_eq!(
        player.indexes[1].algorithm,
        IndexAlgorithm::BTree(vec![2, 3])
    );
    assert!(!player.indexes[1].is_unique);
    assert_eq!(player.indexes[2].algorithm, IndexAlgorithm::Hash(vec![1]));
    assert_eq!(player.sequences[0].name, "player_state_player_id_seq");
    assert_eq!(player.default_values, vec![(3, AlgebraicValue::I32(100))]);
    assert!(player.is_public());

    // Schedules, events, access.
    let tick = def.table("tick_timer").unwrap();
    assert_eq!(tick.access, OurAccess::Private);
    let schedule = tick.schedule.as_ref().unwrap();
    assert_eq!(schedule.name, "tick_timer_sched");
    assert_eq!(schedule.at_column, 1);
    assert!(def.table("message").unwrap().is_event);

    // Reducers keep their ids; lifecycle and scheduled ones become private.
    let names: Vec<_> = def.reducers.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["init", "send_message", "on_tick", "identity_connected"]
    );
    assert_eq!(def.reducer("send_message").unwrap().0, 1);
    assert_eq!(def.reducers[1].accessor_name, "SendMsg");
    assert_eq!(def.reducers[1].visibility, OurVisibility::ClientCallable);
    assert_eq!(def.reducers[0].visibility, OurVisibility::Private);
    assert_eq!(def.reducers[2].visibility, OurVisibility::Private);
    assert_eq!(schedule.function, ScheduledFunction::Reducer(2));
    assert_eq!(def.lifecycle.init, Some(0));
    assert_eq!(def.lifecycle.on_connect, Some(3));
    assert_eq!(def.lifecycle.on_disconnect, None);
    assert_eq!(def.reducers[3].lifecycle, Some(OurLifecycle::OnConnect));

    // Procedures, views, types, RLS.
    assert_eq!(
        def.procedure("fetch_weather").unwrap().1.return_type,
        AlgebraicType::String
    );
    let view = def.view("my_player").unwrap();
    assert_eq!(view.return_kind, ViewReturnKind::Option);
    assert_eq!(view.primary_key, Some(0));
    assert_eq!(view.row_type.elements[0].name.as_deref(), Some("player_id"));
    assert_eq!(
        (def.types[0].scope.as_slice(), def.types[0].name.as_str()),
        (&["Game".to_string()][..], "Color")
    );
    assert_eq!(
        def.row_level_security,
        ["SELECT * FROM message WHERE sender = :sender"]
    );
}

fn v9_module() -> spacetimedb_lib::RawModuleDef {
    spacetimedb_lib::RawModuleDef::V9(RawModuleDefV9 {
        typespace: typespace(),
        tables: vec![RawTableDefV9 {
            name: id("TickTimer"),
            product_type_ref: AlgebraicTypeRef(1),
            primary_key: [0u16].into(),
            indexes: vec![RawIndexDefV9 {
                name: None,
                accessor_name: Some(id("scheduled_id")),
                algorithm: RawIndexAlgorithm::BTree {
                    columns: [0u16].into(),
                },
            }],
            constraints: vec![RawConstraintDefV9 {
                name: Some(id("my_unique")),
                data: RawConstraintDataV9::Unique(RawUniqueConstraintDataV9 {
                    columns: [0u16].into(),
                }),
            }],
            sequences: vec![],
            schedule: Some(RawScheduleDefV9 {
                name: None,
                reducer_name: id("OnTick"),
                scheduled_at_column: 1u16.into(),
            }),
            table_type: TableType::User,
            table_access: TableAccess::Public,
        }],
        reducers: vec![
            RawReducerDefV9 {
                name: id("OnTick"),
                params: PT::from([("timer", T::Ref(AlgebraicTypeRef(1)))]),
                lifecycle: None,
            },
            RawReducerDefV9 {
                name: id("Connected"),
                params: PT::unit(),
                lifecycle: Some(Lifecycle::OnConnect),
            },
        ],
        types: vec![],
        misc_exports: vec![RawMiscModuleExportV9::ColumnDefaultValue(
            RawColumnDefaultValueV9 {
                table: id("TickTimer"),
                col_id: 2u16.into(),
                value: bsatn::to_vec("none").into(),
            },
        )],
        row_level_security: vec![],
    })
}

#[test]
fn v9_module_roundtrips_and_validates_with_names_verbatim() {
    let theirs = v9_module();
    let bytes = decode_and_reencode(&theirs);
    let def = ModuleDef::from_bsatn(&bytes).unwrap();
    let t = def.table("TickTimer").expect("V9 names are verbatim");
    assert_eq!(t.columns[0].name, "scheduled_id");
    assert_eq!(t.unique_constraints[0].name, "my_unique");
    assert_eq!(t.indexes[0].name, "TickTimer_scheduled_id_idx_btree");
    assert_eq!(t.schedule.as_ref().unwrap().name, "TickTimer_sched");
    assert_eq!(t.default_values, vec![(2, AlgebraicValue::string("none"))]);
    // V9 has no visibility pass: every reducer stays callable.
    assert!(def
        .reducers
        .iter()
        .all(|r| r.visibility == OurVisibility::ClientCallable));
    assert_eq!(def.lifecycle.on_connect, Some(1));
}

/// Validates a module with one section replaced, expecting an error containing `needle`.
fn refused(edit: impl FnOnce(&mut Vec<RawModuleDefV10Section>), needle: &str) {
    let spacetimedb_lib::RawModuleDef::V10(mut def) = full_v10_module() else {
        unreachable!()
    };
    edit(&mut def.sections);
    let bytes = their_bsatn::to_vec(&spacetimedb_lib::RawModuleDef::V10(def)).unwrap();
    let err = ModuleDef::from_bsatn(&bytes)
        .expect_err("should be refused")
        .to_string();
    assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
}

fn tables(sections: &mut [RawModuleDefV10Section]) -> &mut Vec<RawTableDefV10> {
    sections
        .iter_mut()
        .find_map(|s| match s {
            RawModuleDefV10Section::Tables(t) => Some(t),
            _ => None,
        })
        .unwrap()
}

fn reducers(sections: &mut [RawModuleDefV10Section]) -> &mut Vec<RawReducerDefV10> {
    sections
        .iter_mut()
        .find_map(|s| match s {
            RawModuleDefV10Section::Reducers(r) => Some(r),
            _ => None,
        })
        .unwrap()
}

#[test]
fn invalid_definitions_are_refused_with_precise_errors() {
    refused(
        |s| tables(s)[0].product_type_ref = AlgebraicTypeRef(99),
        "invalid product_type_ref 99",
    );
    refused(
        |s| tables(s)[0].constraints.clear(),
        "is the primary key but has no unique constraint",
    );
    refused(
        |s| drop(tables(s)[0].indexes.remove(0)),
        "no index found to support unique constraint",
    );
    refused(
        |s| tables(s)[0].primary_key = [7u16].into(),
        "column 7 referenced by PlayerState not found",
    );
    refused(
        |s| tables(s)[0].sequences[0].column = 1u16.into(),
        "is not an integer",
    );
    refused(
        |s| {
            let seq = tables(s)[0].sequences[0].clone();
            tables(s)[0].sequences.push(seq);
        },
        "more than one auto_inc sequence",
    );
    refused(
        |s| tables(s)[0].sequences[0].min_value = Some(10),
        "invalid sequence range",
    );
    refused(
        |s| {
            tables(s)[0].indexes[2].algorithm = RawIndexAlgorithm::Direct {
                column: 1u16.into(),
            }
        },
        "direct index",
    );
    refused(
        |s| tables(s)[0].default_values[0].value = vec![1].into(),
        "default value for table PlayerState column 3",
    );
    refused(
        |s| tables(s)[1].primary_key = Default::default(),
        "has no u64 primary key",
    );
    refused(
        |s| tables(s)[0].source_name = id("st_player"),
        "reserved for system use",
    );
    refused(
        |s| tables(s)[2].source_name = id("tick_timer"),
        "name `tick_timer` is used for multiple entities",
    );
    refused(
        |s| reducers(s)[2].params = PT::from([("n", T::U32)]),
        "must take exactly one parameter",
    );
    refused(
        |s| reducers(s)[1].source_name = id("init"),
        "used for multiple reducers",
    );
    refused(
        |s| reducers(s)[1].err_return_type = T::U32,
        "invalid return type",
    );
    refused(
        |s| reducers(s)[1].params = PT::from([T::String]),
        "unnamed parameter 0",
    );
    refused(
        |s| reducers(s)[3].source_name = id("bad name"),
        "not a Unicode XID_Continue character",
    );
    refused(
        |s| drop(reducers(s).remove(0)),
        "lifecycle event Init without reducer init",
    );
    refused(
        |s| s.push(RawModuleDefV10Section::Typespace(Typespace::new(vec![]))),
        "section Typespace appears more than once",
    );
}

#[test]
fn v8_modules_and_garbage_are_refused_clearly() {
    let err = ModuleDef::from_bsatn(&[0, 1, 2]).unwrap_err();
    assert!(err.to_string().contains("pre-1.0 V8"), "{err}");
    let err = ModuleDef::from_bsatn(&[2, 1, 0, 0, 0, 99]).unwrap_err();
    assert!(matches!(&err.0[0], ValidationError::Decode(_)), "{err}");
}

/// `to_raw_v9` + our JSON against SpacetimeDB's serializer of the same V9 bytes: the
/// `/schema?version=9` body must be theirs byte for byte.
fn assert_v9_json_matches_published(def: &ModuleDef) -> String {
    assert_raw_v9_json_matches_published(&def.to_raw_v9())
}

fn assert_raw_v9_json_matches_published(
    raw: &lightcone_protocol::moduledef::RawModuleDefV9,
) -> String {
    let ours = lightcone_protocol::json::module_def_v9_to_string(raw);
    let theirs: RawModuleDefV9 = their_bsatn::from_slice(&bsatn::to_vec(raw)).unwrap();
    let theirs =
        serde_json::to_string(spacetimedb_sats::serde::SerdeWrapper::from_ref(&theirs)).unwrap();
    assert_eq!(ours, theirs);
    ours
}

#[test]
fn schema_v9_json_of_a_v10_module_matches_published() {
    let def = ModuleDef::from_bsatn(&decode_and_reencode(&full_v10_module())).unwrap();
    let json = assert_v9_json_matches_published(&def);
    // Canonical names, generated names written out, procedures and views as misc exports.
    for needle in [
        "\"name\":\"send_message\"",
        "\"Procedure\":{\"name\":\"fetch_weather\"",
        "\"View\":{\"name\":\"my_player\"",
        "\"reducer_name\":\"on_tick\"",
        "\"lifecycle\":{\"some\":{\"OnConnect\":[]}}",
        "\"sql\":\"SELECT * FROM message WHERE sender = :sender\"",
    ] {
        assert!(json.contains(needle), "{needle} missing from {json}");
    }
    // No fixture validates with a direct index on its first table; its JSON form is checked
    // on the raw definition.
    let mut raw = def.to_raw_v9();
    raw.tables[0].indexes[0].algorithm =
        lightcone_protocol::moduledef::raw_v9::RawIndexAlgorithm::Direct(0);
    assert!(assert_raw_v9_json_matches_published(&raw).contains("{\"Direct\":0}"));
}

#[test]
fn schema_v9_of_a_v9_module_gives_back_its_definition() {
    let def = ModuleDef::from_bsatn(&decode_and_reencode(&v9_module())).unwrap();
    assert_v9_json_matches_published(&def);
    let raw = def.to_raw_v9();
    let spacetimedb_lib::RawModuleDef::V9(original) = v9_module() else {
        unreachable!()
    };
    let original: lightcone_protocol::moduledef::RawModuleDefV9 =
        bsatn::from_slice(&their_bsatn::to_vec(&original).unwrap()).unwrap();
    assert_eq!(raw.typespace, original.typespace);
    assert_eq!(raw.reducers, original.reducers);
    assert_eq!(raw.misc_exports, original.misc_exports);
    let (t, o) = (&raw.tables[0], &original.tables[0]);
    assert_eq!(
        (&t.name, &t.primary_key, t.table_access),
        (&o.name, &o.primary_key, o.table_access)
    );
    // Names the module left out are written as the validator generated them.
    assert_eq!(
        t.indexes[0].name.as_deref(),
        Some("TickTimer_scheduled_id_idx_btree")
    );
    assert_eq!(t.indexes[0].algorithm, o.indexes[0].algorithm);
    assert_eq!(t.constraints, o.constraints);
    let schedule = t.schedule.as_ref().unwrap();
    assert_eq!(
        (schedule.name.as_deref(), schedule.reducer_name.as_str()),
        (Some("TickTimer_sched"), "OnTick")
    );
}
