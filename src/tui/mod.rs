//! The terminal UI, Elm style and nested: each screen (`ledger`, `prep`, `meeting`, `stats`)
//! is a folder with its state, its own messages and effects, a pure `update`, an `io` that
//! runs its effects against the store, and a `view`. The app ([`model::Model`],
//! [`update::update`]) wraps them ([`msg::Msg`], [`msg::Effect`]), owns help, screen keys and
//! the status line, and lends every screen a [`screen::Ctx`]; the [`runtime`] executes effects
//! and routes each answer back to its screen. Forms are one widget ([`form`]) that knows no
//! screen; the [`keymap`] names every action for keys, footer and help.

pub mod confirm;
pub mod form;
pub mod glyphs;
pub mod keymap;
pub mod layout;
pub mod ledger;
pub mod lines;
pub mod meeting;
pub mod model;
pub mod msg;
pub mod prep;
pub mod report_lines;
pub mod runtime;
pub mod screen;
pub mod stats;
pub mod update;
pub mod view;

#[cfg(test)]
mod present_tests;
#[cfg(test)]
mod record_tests;
#[cfg(test)]
mod runtime_tests;
#[cfg(test)]
mod screen_tests;
#[cfg(test)]
mod sizes_tests;
#[cfg(test)]
mod tests;

pub use runtime::run;
