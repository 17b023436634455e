//! What the app lends each screen's `update`: [`Ctx`], the settings and reference data every
//! screen may read, and [`Out`], where a screen leaves what only the app can do (the status
//! line, quitting). A screen's update is `(state, &Ctx, &mut Out, its message) -> its effects`;
//! it never sees another screen's state.

use chrono::NaiveDate;
use ratatui::layout::Rect;

use crate::domain::{Agency, Config, Id};

/// Read-only context of one update.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub today: NaiveDate,
    /// 関係機関, loaded with the ledger.
    pub agencies: &'a [Agency],
    /// The body area the screen draws in (its lists' page size follows from it).
    pub body: Rect,
    /// 投影モード: a screen opens no form that shows a person's details.
    pub present: bool,
}

/// What a screen says when a form would show a person's details while the screen is projected.
pub const NOT_WHILE_PRESENTING: &str = "投影中は編集画面を開けません（Alt+P で投影モードを解除してください）";

impl Ctx<'_> {
    pub fn agency_name(&self, id: Option<Id>) -> &str {
        agency_name(self.agencies, id)
    }
}

/// The name of agency `id` in `agencies` ("" when unknown or None).
pub fn agency_name(agencies: &[Agency], id: Option<Id>) -> &str {
    id.and_then(|i| agencies.iter().find(|a| a.id == i)).map(|a| a.name.as_str()).unwrap_or("")
}

/// What a form adds to a refusal because the record changed since it was opened: the screen
/// has read the record again, so closing and reopening the form starts from what is stored.
pub fn stale_hint(e: &impl std::fmt::Display) -> String {
    format!("{e}（画面は最新の内容を読み直しました。Esc で閉じて開き直してください）")
}

/// A name as every screen shows it: initials (or the case number) in 投影モード, the same rule
/// as the masked minutes (`domain::mask`).
pub fn shown_name(present: bool, name: &str, kana: &str, number: &str) -> String {
    if present { crate::domain::mask::initials(kana).unwrap_or_else(|| number.to_string()) } else { name.to_string() }
}

/// The question a form shows when a typed agency is not registered (the store refused it).
pub fn ask_new_agency(e: &impl std::fmt::Display) -> String {
    format!("{e}。新しい機関として登録するには、そのままもう一度 F10 で保存してください（名前を直すこともできます）")
}

/// Records a contact typed in a contact form (the ledger's or the meeting screen's) and says
/// what was recorded, by case number and never by name.
pub fn record_contact(
    store: &mut crate::store::Store,
    c: &crate::store::contacts::NewContact,
    number: &str,
    today: chrono::NaiveDate,
) -> Result<String, crate::store::StoreError> {
    let id = store.write(|t| t.record_contact(c, today))?;
    tracing::info!(contact_id = id, case_id = c.case_id, "contact recorded from the tui");
    Ok(format!(
        "ケース {number} に経過記録を追加しました（{} {}、目視確認{}）",
        crate::domain::wareki::format_short(c.date),
        c.kind.label(),
        if c.seen { "あり" } else { "なし" }
    ))
}

/// The status line's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// What a screen asks of the app besides its own effects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Out {
    pub status: Option<Status>,
    pub quit: bool,
}

impl Out {
    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status { text: text.into(), error: false });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status { text: text.into(), error: true });
    }

    pub fn quit(&mut self) {
        self.quit = true;
    }
}
