//! The Lightcone server as a library: what the `lightcone` binary (src/main.rs) and the
//! server's integration tests share. So far: identities and tokens ([`auth`]); the HTTP front
//! door, database registry and SQL come with the front-door issue (docs/ARCHITECTURE.md).

pub mod auth;
