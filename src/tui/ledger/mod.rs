//! 進行管理台帳: the ledger screen's state, messages, effects and pure update: search as you
//! type, filters, sort, selection, the visible window, and the case forms. Rows come from
//! `Store::case_rows()` once; every keystroke filters them in memory. The first frame shows
//! one keyset page while the runtime builds that index on another thread (see
//! [`LedgerState::building`]).

pub mod birth_form;
pub mod case_form;
pub mod contact_form;
pub mod detail_view;
pub mod io;
pub mod record_form;
pub mod urgent_form;
pub mod view;

use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use tui_input::Input;

use super::keymap::{Command, Mode};
use super::layout;
use super::screen::{Ctx, Out};
use crate::domain::{Action, Agency, AssessmentSheet, Case, CaseStatus, Config, Decision, Id, Registration, search};
use crate::store::{CaseFilter, CaseRow};
pub use birth_form::{BirthField, BirthForm};
pub use case_form::{CaseField, CaseForm, CaseFormKind};
pub use contact_form::{ContactField, ContactForm};
pub use record_form::RecordForm;
pub use update::{areas, update};

/// What the ledger screen is told: keys (already named by the keymap), mouse, paste, and the
/// answers of its effects.
#[derive(Debug, Clone)]
pub enum LedgerMsg {
    Key(Option<Command>, KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    /// The terminal changed size: the selection stays in the window.
    Resized,
    /// The ledger and its reference data, (re)loaded.
    Loaded(Box<LedgerData>),
    /// Rows of the index read so far (it is built on another thread).
    IndexProgress(usize),
    DetailLoaded(Box<CaseDetail>),
    /// A write succeeded; `message` is shown in the status line.
    Saved {
        case_id: Id,
        message: String,
    },
    /// The store asks for a yes before going on (a typed agency is not registered).
    AskAgain(String),
    /// The case changed since the form was opened; nothing was saved.
    Stale(String),
    /// An effect failed; the message is Japanese and holds no personal data.
    Failed(String),
}

/// Store work the ledger asks for (run by `ledger::io`).
#[derive(Debug, Clone, PartialEq)]
pub enum LedgerEffect {
    Load {
        select: Option<Id>,
    },
    LoadDetail(Id),
    SaveCase(Box<SaveCase>),
    CloseCase {
        id: Id,
        status: CaseStatus,
        on: NaiveDate,
        reason: String,
        category: String,
        /// The configured 終結理由区分, which the store checks `category` against.
        categories: Vec<String>,
    },
    /// 経過記録: one contact, checked by the store against `today`.
    AddContact {
        contact: Box<crate::store::contacts::NewContact>,
        number: String,
        today: NaiveDate,
    },
    /// 出生: the birth on a 特定妊婦 case, checked by the store against `today`.
    RecordBirth {
        birth: Box<crate::domain::birth::Birth>,
        number: String,
        today: NaiveDate,
        config: Box<Config>,
    },
    /// 随時報告 entered by hand; the store raises its alerts by `rules`.
    UrgentReport {
        report: Box<crate::domain::attendance::MonthlyReport>,
        rules: crate::domain::config::MonthlyReports,
    },
}

#[derive(Debug, Clone, Default)]
pub struct LedgerData {
    pub rows: Vec<CaseRow>,
    pub agencies: Vec<Agency>,
    /// 自治体名 stored in the database (the demo sets one); else the configured name is used.
    pub municipality: Option<String>,
    /// Case to select after loading (the one just saved).
    pub select: Option<Id>,
    /// Some when `rows` is only the ledger's first page: how many cases the index will hold.
    pub page_of: Option<CaseCounts>,
    /// Every person the ledger names (each child, and its 保護者・同居人) as (name, reading),
    /// for the masker of presentation mode.
    pub people: Vec<(String, String)>,
}

/// Case counts read with the first page, before the index is complete.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseCounts {
    pub all: usize,
    pub open: usize,
}

/// The index being built: rows read so far of all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Building {
    pub read: usize,
    pub counts: CaseCounts,
}

/// Everything the detail pane shows for one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDetail {
    pub case: Case,
    /// きょうだい: other cases in the same household.
    pub siblings: Vec<Case>,
    /// Other 関係機関 of the case (agency id, role), besides 所属 and 主担当.
    pub agencies: Vec<(Id, String)>,
    pub decisions: Vec<Decision>,
    /// Dates of the meetings the decisions were made in.
    pub meeting_dates: Vec<(Id, NaiveDate)>,
    pub actions: Vec<Action>,
    pub sheets: Vec<AssessmentSheet>,
    /// Sheets asked of institutions for this case: (case, agency, period).
    pub sheet_requests: Vec<(Id, Id, NaiveDate)>,
    /// 経過記録, newest first.
    pub contacts: Vec<crate::domain::contact::Contact>,
    /// 定期的な情報提供: the institutions' monthly reports and the alerts they raised.
    pub monthly_reports: Vec<crate::domain::attendance::MonthlyReport>,
    pub report_alerts: Vec<crate::domain::attendance::ReportAlert>,
}

/// A case to save, with the agencies named in the form (created if new).
#[derive(Debug, Clone, PartialEq)]
pub struct SaveCase {
    pub case: Case,
    pub affiliation: Option<String>,
    pub lead_agency: Option<String>,
    /// Names that fit no registered agency become new agencies (the user said yes).
    pub new_agencies: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LedgerFocus {
    #[default]
    Table,
    Search,
    Filter,
    Detail,
}

/// 並び順 (in memory, so switching is instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LedgerSort {
    #[default]
    Number,
    Kana,
    NextReview,
    Rank,
}

impl LedgerSort {
    pub const ALL: [LedgerSort; 4] = [LedgerSort::Number, LedgerSort::Kana, LedgerSort::NextReview, LedgerSort::Rank];

    pub fn label(self) -> &'static str {
        match self {
            LedgerSort::Number => "ケース番号順",
            LedgerSort::Kana => "ふりがな順",
            LedgerSort::NextReview => "次回確認日順",
            LedgerSort::Rank => "ランク順",
        }
    }

    fn next(self) -> LedgerSort {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }
}

/// The filters of the 絞り込み panel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerFilter {
    pub registration: Option<Registration>,
    pub rank: Option<String>,
    pub lead_agency: Option<Id>,
    pub affiliation: Option<Id>,
    pub overdue: bool,
    /// Only children not seen within `triage.unseen_days` (目視確認なし).
    pub unseen: bool,
    /// 要確認: only cases a monthly report raised an alert on since their last review.
    pub needs_check: bool,
    pub include_closed: bool,
}

/// Rows of the 絞り込み panel, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    Registration,
    Rank,
    LeadAgency,
    Affiliation,
    Overdue,
    Unseen,
    NeedsCheck,
    IncludeClosed,
}

impl FilterField {
    pub const ALL: [FilterField; 8] = [
        FilterField::Registration,
        FilterField::Rank,
        FilterField::LeadAgency,
        FilterField::Affiliation,
        FilterField::Overdue,
        FilterField::Unseen,
        FilterField::NeedsCheck,
        FilterField::IncludeClosed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FilterField::Registration => "登録区分",
            FilterField::Rank => "ランク",
            FilterField::LeadAgency => "主担当機関",
            FilterField::Affiliation => "所属機関",
            FilterField::Overdue => "次回確認の期限超過",
            FilterField::Unseen => "目視確認なし",
            FilterField::NeedsCheck => "要確認（月次報告）",
            FilterField::IncludeClosed => "終結・移管も表示",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct LedgerState {
    pub loaded: bool,
    /// Every case (open and closed), in case-number order; only the first page of open cases
    /// while [`LedgerState::building`] is set.
    pub rows: Vec<CaseRow>,
    /// Set while the index is read on another thread: the table shows the first page, and
    /// search, filters and sort apply when the index is complete (typing is kept meanwhile).
    pub building: Option<Building>,
    /// Open cases of the ledger (the header shows it on every frame), counted when the rows
    /// are replaced.
    pub open_total: usize,
    /// Indices into `rows` that pass the search and filters, in sort order.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    /// First visible row of the table window.
    pub offset: usize,
    pub search: Input,
    pub focus: LedgerFocus,
    pub filter: LedgerFilter,
    /// Row of the 絞り込み panel under the cursor.
    pub filter_cursor: usize,
    pub sort: LedgerSort,
    pub detail: Option<CaseDetail>,
    pub detail_scroll: u16,
    /// A case form open over the screen.
    pub form: Option<CaseForm>,
    /// A contact or birth form open over the screen.
    pub record: Option<RecordForm>,
    /// What `visible` was computed with (None after the rows were replaced).
    applied: Option<Applied>,
}

/// The search, filters and sort `visible` was computed with.
#[derive(Debug, Clone)]
struct Applied {
    filter: CaseFilter,
    words: Vec<String>,
    sort: LedgerSort,
}

impl LedgerState {
    pub fn selected_row(&self) -> Option<&CaseRow> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
    }

    pub fn selected_id(&self) -> Option<Id> {
        self.selected_row().map(|r| r.id)
    }

    pub fn open_count(&self) -> usize {
        self.open_total
    }

    /// Takes freshly read rows: the whole index, or its first page.
    pub fn set_rows(&mut self, rows: Vec<CaseRow>, page_of: Option<CaseCounts>) {
        self.open_total = match page_of {
            Some(c) => c.open,
            None => rows.iter().filter(|r| r.status == CaseStatus::Open).count(),
        };
        self.building = page_of.map(|counts| Building { read: 0, counts });
        self.applied = None;
        self.rows = rows;
        self.loaded = true;
    }

    pub fn case_filter(&self, today: NaiveDate, config: &Config) -> CaseFilter {
        CaseFilter {
            query: self.search.value().to_string(),
            registration: self.filter.registration,
            rank: self.filter.rank.clone(),
            lead_agency: self.filter.lead_agency,
            affiliation: self.filter.affiliation,
            overdue_on: self.filter.overdue.then_some(today),
            unseen_before: self
                .filter
                .unseen
                .then(|| crate::domain::contact::seen_cutoff(today, config.triage.unseen_days)),
            needs_check: self.filter.needs_check,
            include_closed: self.filter.include_closed,
        }
    }

    /// Re-applies search, filters and sort, keeping the selected case if it is still shown.
    pub fn refilter(&mut self, config: &Config, today: NaiveDate) {
        let keep = self.selected_id();
        if self.building.is_some() {
            // The first page is already the default view (open cases by number).
            self.visible = (0..self.rows.len()).collect();
            self.selected = self.position_of(keep).unwrap_or(0);
            return;
        }
        // The selected row by its index, so finding it again reads no row (at 100,000 rows
        // that pass alone was a millisecond); by id when the rows were replaced.
        let keep_row = self.visible.get(self.selected).copied().filter(|&i| self.rows.get(i).map(|r| r.id) == keep);
        let f = self.case_filter(today, config);
        let words = search::query_words(&f.query);
        let rows = &self.rows;
        if self.narrows(&f, &words) {
            // Filtering the sorted rows keeps their order.
            self.visible.retain(|&i| rows[i].passes(&f, &words));
        } else {
            self.visible = (0..rows.len()).filter(|&i| rows[i].passes(&f, &words)).collect();
            match self.sort {
                // `rows` is already in case-number order.
                LedgerSort::Number => {}
                LedgerSort::Kana => self.visible.sort_by(|&a, &b| rows[a].kana.cmp(&rows[b].kana)),
                LedgerSort::NextReview => {
                    self.visible.sort_by_key(|&i| (rows[i].next_review.is_none(), rows[i].next_review))
                }
                LedgerSort::Rank => self
                    .visible
                    .sort_by_key(|&i| config.rank_scheme(rows[i].registration).severity_index(&rows[i].rank)),
            }
        }
        self.applied = Some(Applied { filter: f, words, sort: self.sort });
        self.selected = match keep_row {
            Some(row) => self.visible.iter().position(|&i| i == row),
            None => self.position_of(keep),
        }
        .unwrap_or(0);
    }

    /// Whether `f` and `words` can only hide rows of the current view: the same filters and
    /// sort, and every word searched before is inside a word searched now (typing on).
    fn narrows(&self, f: &CaseFilter, words: &[String]) -> bool {
        self.applied.as_ref().is_some_and(|a| {
            a.sort == self.sort
                && CaseFilter { query: String::new(), ..a.filter.clone() }
                    == CaseFilter { query: String::new(), ..f.clone() }
                && a.words.iter().all(|w| words.iter().any(|n| n.contains(w.as_str())))
        })
    }

    /// Where case `id` is among the visible rows.
    fn position_of(&self, id: Option<Id>) -> Option<usize> {
        id.and_then(|id| self.visible.iter().position(|&i| self.rows[i].id == id))
    }

    /// Selects case `id`; when the search or filters hide it (a case just registered), they
    /// are cleared so the user sees what was saved. A closed case stays hidden.
    pub fn show_case(&mut self, id: Id, config: &Config, today: NaiveDate) {
        if self.position_of(Some(id)).is_none()
            && self.rows.iter().any(|r| r.id == id && r.status == crate::domain::CaseStatus::Open)
        {
            self.search.reset();
            self.filter = LedgerFilter { include_closed: self.filter.include_closed, ..LedgerFilter::default() };
            self.refilter(config, today);
        }
        if let Some(pos) = self.position_of(Some(id)) {
            self.selected = pos;
        }
    }

    /// Moves the selection to `index` (clamped) and scrolls the window of `height` rows to it.
    pub fn select(&mut self, index: usize, height: usize) {
        self.selected = index.min(self.visible.len().saturating_sub(1));
        self.scroll_to_selection(height);
    }

    pub fn scroll_to_selection(&mut self, height: usize) {
        let h = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + h {
            self.offset = self.selected + 1 - h;
        }
        let max_offset = self.visible.len().saturating_sub(h);
        self.offset = self.offset.min(max_offset);
    }

    /// The values a filter row cycles through (None = 指定なし).
    fn cycle_filter(&mut self, field: FilterField, forward: bool, config: &Config) {
        fn step<T: Clone + PartialEq>(options: &[Option<T>], current: &Option<T>, forward: bool) -> Option<T> {
            let n = options.len();
            let i = options.iter().position(|o| o == current).unwrap_or(0);
            options[if forward { (i + 1) % n } else { (i + n - 1) % n }].clone()
        }
        let agencies_used = |pick: fn(&CaseRow) -> Option<Id>| {
            let mut ids: Vec<Id> = self.rows.iter().filter_map(pick).collect();
            ids.sort_unstable();
            ids.dedup();
            std::iter::once(None).chain(ids.into_iter().map(Some)).collect::<Vec<_>>()
        };
        match field {
            FilterField::Registration => {
                let opts: Vec<_> = std::iter::once(None).chain(Registration::ALL.into_iter().map(Some)).collect();
                self.filter.registration = step(&opts, &self.filter.registration, forward);
            }
            FilterField::Rank => {
                let mut codes: Vec<String> = Vec::new();
                for r in config.ranks.iter().chain(config.expectant_ranks.iter()) {
                    if !codes.contains(&r.code) {
                        codes.push(r.code.clone());
                    }
                }
                let opts: Vec<_> = std::iter::once(None).chain(codes.into_iter().map(Some)).collect();
                self.filter.rank = step(&opts, &self.filter.rank, forward);
            }
            FilterField::LeadAgency => {
                let opts = agencies_used(|r| r.lead_agency);
                self.filter.lead_agency = step(&opts, &self.filter.lead_agency, forward);
            }
            FilterField::Affiliation => {
                let opts = agencies_used(|r| r.affiliation);
                self.filter.affiliation = step(&opts, &self.filter.affiliation, forward);
            }
            FilterField::Overdue => self.filter.overdue = !self.filter.overdue,
            FilterField::Unseen => self.filter.unseen = !self.filter.unseen,
            FilterField::NeedsCheck => self.filter.needs_check = !self.filter.needs_check,
            FilterField::IncludeClosed => self.filter.include_closed = !self.filter.include_closed,
        }
    }
}

/// Effects for a changed selection: load the new case's detail.
fn after_move(s: &LedgerState, before: Option<Id>) -> Vec<LedgerEffect> {
    match s.selected_id() {
        Some(id) if Some(id) != before => vec![LedgerEffect::LoadDetail(id)],
        _ => vec![],
    }
}

/// Keys on the table. Returns effects; `None` when the action is not the table's.
fn on_table_action(s: &mut LedgerState, a: Command, cx: &Ctx<'_>, rows: usize) -> Option<Vec<LedgerEffect>> {
    let before = s.selected_id();
    let h = rows.max(1);
    match a {
        Command::Up => s.select(s.selected.saturating_sub(1), h),
        Command::Down => s.select(s.selected + 1, h),
        Command::PageUp => s.select(s.selected.saturating_sub(h), h),
        Command::PageDown => s.select(s.selected + h, h),
        Command::First => s.select(0, h),
        Command::Last => s.select(usize::MAX, h),
        Command::Open | Command::FocusNext => {
            if s.selected_row().is_some() {
                s.focus = LedgerFocus::Detail;
                s.detail_scroll = 0;
            }
        }
        Command::Search => s.focus = LedgerFocus::Search,
        Command::Filter => s.focus = LedgerFocus::Filter,
        Command::ToggleOverdue => {
            s.filter.overdue = !s.filter.overdue;
            s.refilter(cx.config, cx.today);
            s.select(s.selected, h);
        }
        Command::Sort => {
            s.sort = s.sort.next();
            s.refilter(cx.config, cx.today);
            s.select(s.selected, h);
        }
        _ => return None,
    }
    Some(after_move(s, before))
}

fn on_detail_action(s: &mut LedgerState, a: Command) -> Option<Vec<LedgerEffect>> {
    match a {
        Command::Up => s.detail_scroll = s.detail_scroll.saturating_sub(1),
        Command::Down => s.detail_scroll = s.detail_scroll.saturating_add(1),
        Command::PageUp => s.detail_scroll = s.detail_scroll.saturating_sub(10),
        Command::PageDown => s.detail_scroll = s.detail_scroll.saturating_add(10),
        Command::Back | Command::FocusNext => s.focus = LedgerFocus::Table,
        _ => return None,
    }
    Some(vec![])
}

fn on_filter_action(s: &mut LedgerState, a: Command, cx: &Ctx<'_>, rows: usize) -> Vec<LedgerEffect> {
    let before = s.selected_id();
    let n = FilterField::ALL.len();
    let field = FilterField::ALL[s.filter_cursor.min(n - 1)];
    match a {
        Command::Up => s.filter_cursor = (s.filter_cursor + n - 1) % n,
        Command::Down => s.filter_cursor = (s.filter_cursor + 1) % n,
        Command::PrevValue | Command::NextValue => s.cycle_filter(field, a == Command::NextValue, cx.config),
        Command::Reset => s.filter = LedgerFilter::default(),
        Command::Back => s.focus = LedgerFocus::Table,
        _ => return vec![],
    }
    s.refilter(cx.config, cx.today);
    s.select(s.selected, rows);
    after_move(s, before)
}

/// After the query changed (typing or paste).
fn on_query_changed(s: &mut LedgerState, cx: &Ctx<'_>, rows: usize) -> Vec<LedgerEffect> {
    let before = s.selected_id();
    s.refilter(cx.config, cx.today);
    s.offset = 0;
    s.select(s.selected, rows);
    after_move(s, before)
}

fn on_search_action(s: &mut LedgerState, a: Command, cx: &Ctx<'_>, rows: usize) -> Option<Vec<LedgerEffect>> {
    match a {
        Command::Confirm => {
            s.focus = LedgerFocus::Table;
            Some(vec![])
        }
        Command::Clear => {
            s.search.reset();
            s.focus = LedgerFocus::Table;
            Some(on_query_changed(s, cx, rows))
        }
        _ => None,
    }
}

/// Mouse: a click on a table row selects it, the wheel moves the selection.
fn on_mouse(s: &mut LedgerState, m: &MouseEvent, areas: &layout::LedgerAreas, rows: usize) -> Vec<LedgerEffect> {
    let before = s.selected_id();
    let t = areas.table;
    let inside = |x: u16, y: u16, r: ratatui::layout::Rect| x >= r.x && x < r.right() && y >= r.y && y < r.bottom();
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) if inside(m.column, m.row, t) => {
            let first = layout::table_first_row_y(t);
            if m.row >= first && m.row < t.bottom().saturating_sub(1) {
                let idx = s.offset + (m.row - first) as usize;
                if idx < s.visible.len() {
                    s.focus = LedgerFocus::Table;
                    s.select(idx, rows);
                }
            }
        }
        MouseEventKind::Down(MouseButton::Left) if inside(m.column, m.row, areas.bar) => {
            s.focus = LedgerFocus::Search;
        }
        MouseEventKind::Down(MouseButton::Left) if inside(m.column, m.row, areas.detail) => {
            s.focus = LedgerFocus::Detail;
        }
        MouseEventKind::ScrollDown if s.focus == LedgerFocus::Detail => {
            s.detail_scroll = s.detail_scroll.saturating_add(1)
        }
        MouseEventKind::ScrollUp if s.focus == LedgerFocus::Detail => {
            s.detail_scroll = s.detail_scroll.saturating_sub(1)
        }
        MouseEventKind::ScrollDown => s.select(s.selected + 1, rows),
        MouseEventKind::ScrollUp => s.select(s.selected.saturating_sub(1), rows),
        _ => {}
    }
    after_move(s, before)
}

mod update;
#[cfg(test)]
mod update_tests;
