//! shinko (進行): runs 要保護児童対策地域協議会 progress-management meetings.
//!
//! Layers: [`domain`] (pure rules) ← [`store`] (SQLite) ← [`exchange`] (files) ← [`tui`] and
//! [`cli`] (the edges). See `docs/architecture.md`.

pub mod cli;
pub mod demo;
pub mod domain;
pub mod exchange;
pub mod platform;
pub mod store;
pub mod tui;
