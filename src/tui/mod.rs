//! The terminal UI. Elm style: one `Model`, `Msg` in, a pure `update` returning `Effect`s, a
//! runtime that executes effects against the store, views rendering from the model.

use chrono::NaiveDate;
use color_eyre::eyre::Result;

use crate::domain::Config;
use crate::store::Store;

pub fn run(_store: Store, _config: Config, _today: NaiveDate) -> Result<()> {
    color_eyre::eyre::bail!("TUI はまだ使えません")
}
