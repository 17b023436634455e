//! The terminal UI. Elm style: one [`model::Model`], [`msg::Msg`] in, a pure
//! [`update::update`] returning [`msg::Effect`]s, a [`runtime`] that executes effects against
//! the store, [`view`]s rendering from the model, and a [`keymap`] naming every action.

pub mod confirm;
pub mod form;
pub mod glyphs;
pub mod keymap;
pub mod layout;
pub mod ledger;
pub mod meeting;
pub mod model;
pub mod msg;
pub mod prep;
pub mod runtime;
pub mod stats;
pub mod update;
pub mod view;

#[cfg(test)]
mod tests;

pub use runtime::run;
