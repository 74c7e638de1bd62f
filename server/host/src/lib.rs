//! The wasm module host (being built).
