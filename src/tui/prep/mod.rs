//! 会議準備: the preparation screen's state and its pure rules. Both tracks (一括確認 /
//! 重点協議) side by side, the plan per session against its time budget, and the secretariat's
//! hand edits: move to the other track or session, reorder, lock, edit the 事務局案.
//!
//! Siblings are one agenda block (same `block`): track, session, order and lock change for
//! the whole block so a household is never split. The changes go through the store's agenda
//! edits, so rebuilding keeps them (a block placed by hand is locked there).

pub mod forms;
pub mod io;
pub mod view;

use std::collections::HashMap;

use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};

use super::confirm::Confirmable;
use super::form::FormReply;
use super::keymap::{Command, Mode};
use super::screen::{Ctx, Out};
use crate::domain::agenda::AgendaPlan;
use crate::domain::sheet_merge::{self, MergedSheets};
use crate::domain::{AgendaItem, AssessmentSheet, Case, Config, Id, Meeting, MeetingStatus, Session, Track};
pub use forms::{PrepField, PrepForm, PrepFormKind};

/// What the preparation screen is told.
#[derive(Debug, Clone)]
pub enum PrepMsg {
    Key(Option<Command>, KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    /// The screen's meeting, (re)loaded.
    Loaded(Box<PrepData>),
    /// An agenda change was saved; the screen reloads keeping `select` selected.
    Saved {
        select: Option<Id>,
        message: String,
    },
    /// The 事務局案 changed since the form was opened; nothing was saved.
    Stale(String),
    /// An effect failed; the message is Japanese and holds no personal data.
    Failed(String),
}

/// Store work the preparation screen asks for (run by `prep::io`).
#[derive(Debug, Clone, PartialEq)]
pub enum PrepEffect {
    /// Loads the screen for a meeting (None: the next planned one).
    Load { meeting: Option<Id>, select: Option<Id>, today: NaiveDate, config: Box<Config> },
    /// One hand edit of the agenda (audited; rebuilding keeps it).
    Edit { edit: AgendaEdit, message: String, select: Id },
    /// Rebuilds the agenda; locked items stay.
    Rebuild { meeting: Id, today: NaiveDate, config: Box<Config> },
    /// Accepts the capacity proposal (its reviews move to the next meeting).
    AcceptCapacity { meeting: Id, today: NaiveDate, config: Box<Config> },
    /// Writes the pre-send packets into `dir`.
    ExportPackets { meeting: Id, dir: std::path::PathBuf, config: Box<Config> },
}

/// A hand edit of one agenda item; track, session, position and lock apply to its block.
#[derive(Debug, Clone, PartialEq)]
pub enum AgendaEdit {
    Track(Id, Track),
    /// To the end of another session.
    Session(Id, Id),
    /// To this index among all items of its session.
    Position(Id, i64),
    Lock(Id, bool),
    /// A new 事務局案 and the one the form opened with (a save on a stale read is refused).
    Draft {
        id: Id,
        draft: Box<crate::domain::meeting::SecretariatDraft>,
        based_on: Box<crate::domain::meeting::SecretariatDraft>,
    },
    /// A question addressed to an institution (「この点についてご説明ください」).
    Ask(Id, crate::domain::meeting::Question),
}

/// A meeting to choose from.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingRef {
    pub id: Id,
    pub title: String,
    pub date: Option<NaiveDate>,
    pub status: MeetingStatus,
}

/// Everything the screen shows for one meeting, loaded in one go.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrepData {
    pub meetings: Vec<MeetingRef>,
    pub meeting: Option<Meeting>,
    pub sessions: Vec<Session>,
    /// Counts, minutes and expected end per session (with the open actions reviewed first).
    pub plan: AgendaPlan,
    /// In agenda order (session, position).
    pub items: Vec<AgendaItem>,
    /// The cases on the agenda, and below their sheets, sheet requests (for the merged view)
    /// and linked 関係機関, each by case id: a frame looks up the cases it shows rather than
    /// searching the whole agenda for each.
    pub cases: HashMap<Id, Case>,
    pub sheets: HashMap<Id, Vec<AssessmentSheet>>,
    pub requests: HashMap<Id, Vec<(Id, Id, NaiveDate)>>,
    pub links: HashMap<Id, Vec<Id>>,
    /// Institutions' replies to the 事務局案 (事前確認), and who has replied.
    pub replies: Vec<crate::domain::reply::Reply>,
    pub reply_status: Vec<crate::exchange::reply_import::AgencyReplies>,
    /// What fits when the sessions cannot hold the agenda (empty when they can).
    pub capacity: Vec<crate::domain::capacity::CapacityPlan>,
    /// Folder proposed for the packets.
    pub out_dir: String,
    /// Item to select after loading.
    pub select: Option<Id>,
}

impl PrepData {
    /// Lines of the plan above the lists: one per session and three per capacity proposal
    /// (what moves, the sessions a month, the 重点協議 a month).
    pub fn plan_rows(&self) -> usize {
        self.sessions.len() + 3 * self.capacity.len()
    }

    pub fn case(&self, id: Id) -> Option<&Case> {
        self.cases.get(&id)
    }

    /// The institutions involved in a case (所属, 主担当, linked), each once: the ones a
    /// question can be addressed to.
    pub fn involved(&self, case_id: Id) -> Vec<Id> {
        let c = self.case(case_id);
        let mut out: Vec<Id> = c.and_then(|c| c.affiliation).into_iter().chain(c.and_then(|c| c.lead_agency)).collect();
        out.extend(self.links.get(&case_id).into_iter().flatten().copied());
        let mut seen = std::collections::BTreeSet::new();
        out.retain(|a| seen.insert(*a));
        out
    }
}

#[derive(Debug, Clone, Default)]
pub struct PrepState {
    pub data: Option<PrepData>,
    /// The focused column.
    pub focus: Column,
    /// Selected row in each column.
    pub selected: [usize; 2],
    /// The rebuild key pressed once waits for the second.
    pub confirm: super::confirm::Confirm,
    /// A form open over the screen.
    pub form: Option<PrepForm>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Column {
    #[default]
    Quick,
    Deep,
}

impl Column {
    pub fn track(self) -> Track {
        match self {
            Column::Quick => Track::Quick,
            Column::Deep => Track::Deep,
        }
    }
    fn of(t: Track) -> Column {
        match t {
            Track::Quick => Column::Quick,
            Track::Deep => Column::Deep,
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

/// The screen's areas: meeting line, plan, the two tracks and the selected case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrepAreas {
    pub title: Rect,
    pub plan: Rect,
    pub quick: Rect,
    pub deep: Rect,
    pub detail: Rect,
}

/// Wide terminals put the case beside the tracks, narrow ones below them.
pub fn areas(body: Rect, sessions: usize) -> PrepAreas {
    let plan_h = (sessions as u16 + 1).min(body.height / 4).max(1);
    let [title, plan, rest] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(plan_h), Constraint::Min(0)]).areas(body);
    if body.width >= super::layout::SIDE_DETAIL_MIN_WIDTH {
        let [quick, deep, detail] =
            Layout::horizontal([Constraint::Percentage(30), Constraint::Percentage(30), Constraint::Percentage(40)])
                .areas(rest);
        PrepAreas { title, plan, quick, deep, detail }
    } else {
        let [lists, detail] = Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(rest);
        let [quick, deep] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(lists);
        PrepAreas { title, plan, quick, deep, detail }
    }
}

/// Rows a track's list shows inside its border.
pub fn list_rows(area: Rect) -> usize {
    area.height.saturating_sub(2) as usize
}

/// A left click on a track's row focuses that track and selects the row.
pub fn on_mouse(s: &mut PrepState, me: &MouseEvent, a: PrepAreas) {
    if me.kind != MouseEventKind::Down(MouseButton::Left) {
        return;
    }
    for (c, area) in [(Column::Quick, a.quick), (Column::Deep, a.deep)] {
        let inside = me.column >= area.x && me.column < area.x + area.width;
        let row = me.row.checked_sub(area.y + 1).map(usize::from);
        if let (true, Some(row)) = (inside, row.filter(|r| *r < list_rows(area))) {
            let n = s.column(c).len();
            let at = window_start(s.selected[c.index()], list_rows(area)) + row;
            if at < n {
                s.focus = c;
                s.selected[c.index()] = at;
            }
        }
    }
}

/// First row shown so that `selected` is visible in `rows` rows.
pub fn window_start(selected: usize, rows: usize) -> usize {
    if rows == 0 { 0 } else { selected.saturating_sub(rows - 1) }
}

impl PrepState {
    pub fn items(&self) -> &[AgendaItem] {
        self.data.as_ref().map(|d| d.items.as_slice()).unwrap_or(&[])
    }

    /// Indices into the items of one track, in agenda order.
    pub fn column(&self, c: Column) -> Vec<usize> {
        self.items().iter().enumerate().filter(|(_, i)| i.track == c.track()).map(|(n, _)| n).collect()
    }

    pub fn selected_item(&self) -> Option<&AgendaItem> {
        let col = self.column(self.focus);
        col.get(self.selected[self.focus.index()]).map(|&i| &self.items()[i])
    }

    /// The merged sheets of the selected case.
    pub fn merged(&self) -> Option<MergedSheets> {
        let d = self.data.as_ref()?;
        let item = self.selected_item()?;
        let sheets = d.sheets.get(&item.case_id).map(Vec::as_slice).unwrap_or_default();
        let requests = d.requests.get(&item.case_id).map(Vec::as_slice).unwrap_or_default();
        Some(sheet_merge::merge(item.case_id, sheets, requests))
    }

    /// Takes freshly loaded data, keeping (or moving to) the item asked for.
    pub fn loaded(&mut self, data: PrepData) {
        let keep = data.select.or_else(|| self.selected_item().map(|i| i.id));
        let same_meeting =
            self.data.as_ref().and_then(|d| d.meeting.as_ref().map(|m| m.id)) == data.meeting.as_ref().map(|m| m.id);
        if !same_meeting {
            self.selected = [0, 0];
        }
        self.data = Some(data);
        if let Some(id) = keep {
            self.select_item(id);
        }
        for c in [Column::Quick, Column::Deep] {
            let n = self.column(c).len();
            self.selected[c.index()] = self.selected[c.index()].min(n.saturating_sub(1));
        }
    }

    fn select_item(&mut self, id: Id) {
        let Some(item) = self.items().iter().find(|i| i.id == id) else { return };
        let c = Column::of(item.track);
        if let Some(pos) = self.column(c).iter().position(|&n| self.items()[n].id == id) {
            self.focus = c;
            self.selected[c.index()] = pos;
        }
    }

    fn meeting_id(&self) -> Option<Id> {
        self.data.as_ref()?.meeting.as_ref().map(|m| m.id)
    }

    fn number(&self, case_id: Id) -> String {
        self.data.as_ref().and_then(|d| d.case(case_id)).map(|c| c.number.clone()).unwrap_or_default()
    }

    /// The selected item's block (itself and its siblings), in agenda order.
    fn block(&self) -> Vec<AgendaItem> {
        let Some(sel) = self.selected_item() else { return vec![] };
        self.items().iter().filter(|i| i.block == sel.block).cloned().collect()
    }
}

/// Applies `edit` and shows `message`, keeping the selection on `select`.
fn save(edit: AgendaEdit, message: String, select: Id) -> Vec<PrepEffect> {
    vec![PrepEffect::Edit { edit, message, select }]
}

fn siblings_note(block: &[AgendaItem]) -> String {
    if block.len() > 1 { format!("（きょうだい {} 件と一緒に）", block.len() - 1) } else { String::new() }
}

/// Keys of the preparation screen that do not open a form.
fn on_action(s: &mut PrepState, cx: &Ctx<'_>, out: &mut Out, action: Command) -> Vec<PrepEffect> {
    let armed = s.confirm.take();
    let rebuild = armed == Some(Confirmable::RebuildAgenda);
    let plan_rows = s.data.as_ref().map(PrepData::plan_rows).unwrap_or(0);
    let rows = list_rows(areas(cx.body, plan_rows).quick);
    let (config, today) = (cx.config, cx.today);
    let none = vec![];
    match action {
        Command::Up | Command::Down | Command::PageUp | Command::PageDown | Command::First | Command::Last => {
            let n = s.column(s.focus).len();
            let cur = &mut s.selected[s.focus.index()];
            let page = rows.max(1);
            *cur = match action {
                Command::Up => cur.saturating_sub(1),
                Command::Down => (*cur + 1).min(n.saturating_sub(1)),
                Command::PageUp => cur.saturating_sub(page),
                Command::PageDown => (*cur + page).min(n.saturating_sub(1)),
                Command::First => 0,
                _ => n.saturating_sub(1),
            };
            none
        }
        Command::OtherColumn => {
            s.focus = if s.focus == Column::Quick { Column::Deep } else { Column::Quick };
            none
        }
        Command::NextMeeting => {
            let Some(d) = &s.data else { return none };
            if d.meetings.is_empty() {
                out.error("会議がありません");
                return none;
            }
            let at = s.meeting_id().and_then(|id| d.meetings.iter().position(|m| m.id == id));
            let next = d.meetings[at.map(|i| (i + 1) % d.meetings.len()).unwrap_or(0)].id;
            vec![PrepEffect::Load { meeting: Some(next), select: None, today, config: Box::new(config.clone()) }]
        }
        Command::Rebuild => {
            let Some(meeting) = s.meeting_id() else {
                out.error("会議を選んでください");
                return none;
            };
            if !rebuild {
                s.confirm.arm(Confirmable::RebuildAgenda);
                out.info("もう一度押すと議事次第を作り直します（固定した議題はそのまま残ります）");
                return none;
            }
            vec![PrepEffect::Rebuild { meeting, today, config: Box::new(config.clone()) }]
        }
        Command::AcceptCapacity => {
            let Some((meeting, d)) = s.meeting_id().zip(s.data.as_ref()) else {
                out.error("会議を選んでください");
                return none;
            };
            let n: usize = d.capacity.iter().map(|p| p.deferrals.len()).sum();
            if n == 0 {
                out.info(if d.capacity.is_empty() {
                    "どの日程も時間内に収まっています"
                } else {
                    "後の会議へ回せる確認がありません（日程を追加してください）"
                });
                return none;
            }
            if armed != Some(Confirmable::AcceptCapacity) {
                s.confirm.arm(Confirmable::AcceptCapacity);
                out.info(format!(
                    "もう一度押すと {n}件の確認を後の会議へ回します（次回確認日を移す先の会議の日にします）"
                ));
                return none;
            }
            vec![PrepEffect::AcceptCapacity { meeting, today, config: Box::new(config.clone()) }]
        }
        Command::OtherTrack
        | Command::PrevSession
        | Command::NextSession
        | Command::MoveUp
        | Command::MoveDown
        | Command::Lock => edit_block(s, out, action),
        _ => none,
    }
}

/// Changes the selected block: track, session, order or lock.
fn edit_block(s: &PrepState, out: &mut Out, action: Command) -> Vec<PrepEffect> {
    let Some(sel) = s.selected_item().cloned() else {
        out.error("議題を選んでください");
        return vec![];
    };
    let Some(d) = &s.data else { return vec![] };
    let number = s.number(sel.case_id);
    let note = siblings_note(&s.block());
    match action {
        Command::Lock => {
            let locked = !sel.locked;
            let verb = if locked {
                "固定しました（作り直しても動きません）"
            } else {
                "固定を解除しました"
            };
            save(AgendaEdit::Lock(sel.id, locked), format!("ケース {number} を{verb}{note}"), sel.id)
        }
        Command::OtherTrack => {
            let track = if sel.track == Track::Quick { Track::Deep } else { Track::Quick };
            save(
                AgendaEdit::Track(sel.id, track),
                format!("ケース {number} を{}へ移しました{note}", track.label()),
                sel.id,
            )
        }
        Command::PrevSession | Command::NextSession => {
            let at = sel.session_id.and_then(|id| d.sessions.iter().position(|x| x.id == id));
            let target = match (action, at) {
                (Command::NextSession, None) => d.sessions.first(),
                (Command::NextSession, Some(i)) => d.sessions.get(i + 1),
                (_, Some(i)) if i > 0 => d.sessions.get(i - 1),
                _ => None,
            };
            let Some(target) = target else {
                let which = if action == Command::NextSession { "後" } else { "前" };
                out.error(format!("これより{which}の日程はありません"));
                return vec![];
            };
            let msg = format!("ケース {number} を「{}」の最後へ移しました{note}", target.label);
            save(AgendaEdit::Session(sel.id, target.id), msg, sel.id)
        }
        _ => reorder(d, out, &sel, action == Command::MoveUp, &number),
    }
}

/// Moves the selected block before the previous (or after the next) block of the same track in
/// its session. Positions count every item of the session, both tracks.
fn reorder(d: &PrepData, out: &mut Out, sel: &AgendaItem, up: bool, number: &str) -> Vec<PrepEffect> {
    let session: Vec<&AgendaItem> = d.items.iter().filter(|i| i.session_id == sel.session_id).collect();
    let rest: Vec<&AgendaItem> = session.iter().copied().filter(|i| i.block != sel.block).collect();
    let mine_at = session.iter().position(|i| i.block == sel.block).unwrap_or(0);
    let same_track = |i: &&AgendaItem| i.track == sel.track;
    let target = if up {
        // The first item of the nearest same-track block above.
        let above: Vec<&AgendaItem> = session[..mine_at].iter().copied().filter(same_track).collect();
        above.last().map(|prev| rest.iter().position(|i| i.block == prev.block).unwrap_or(0))
    } else {
        let below = session[mine_at..].iter().copied().filter(|i| i.block != sel.block).find(same_track);
        below.map(|next| rest.iter().rposition(|i| i.block == next.block).map(|p| p + 1).unwrap_or(rest.len()))
    };
    let dir = if up { "上" } else { "下" };
    match target {
        Some(position) => save(
            AgendaEdit::Position(sel.id, position as i64),
            format!("ケース {number} を{dir}へ動かしました"),
            sel.id,
        ),
        None => {
            out.error(format!("これ以上{dir}へは動かせません"));
            vec![]
        }
    }
}

impl PrepState {
    /// The key mode in effect on this screen.
    pub fn mode(&self) -> Mode {
        self.form.as_ref().map(|f| f.form.mode()).unwrap_or(Mode::Prep)
    }

    /// Opening the screen reloads it: the ledger may have changed meanwhile.
    pub fn enter(&self, cx: &Ctx<'_>) -> Vec<PrepEffect> {
        self.reload(cx, None)
    }

    /// What to read again after another writer's commit (meeting and selection stay).
    pub fn refresh(&self, cx: &Ctx<'_>) -> Vec<PrepEffect> {
        if self.data.is_some() { self.reload(cx, None) } else { vec![] }
    }

    fn reload(&self, cx: &Ctx<'_>, select: Option<Id>) -> Vec<PrepEffect> {
        vec![PrepEffect::Load {
            meeting: self.meeting_id(),
            select,
            today: cx.today,
            config: Box::new(cx.config.clone()),
        }]
    }
}

/// The preparation screen's pure update.
pub fn update(s: &mut PrepState, cx: &Ctx<'_>, out: &mut Out, msg: PrepMsg) -> Vec<PrepEffect> {
    match msg {
        PrepMsg::Key(action, k) => on_key(s, cx, out, action, k),
        PrepMsg::Mouse(me) => {
            if s.form.is_none() {
                let plan_rows = s.data.as_ref().map(PrepData::plan_rows).unwrap_or(0);
                on_mouse(s, &me, areas(cx.body, plan_rows));
            }
            vec![]
        }
        PrepMsg::Paste(text) => {
            if let Some(f) = &mut s.form {
                f.form.paste(&text);
            }
            vec![]
        }
        PrepMsg::Loaded(data) => {
            s.loaded(*data);
            vec![]
        }
        PrepMsg::Saved { select, message } => {
            s.form = None;
            out.info(message);
            s.reload(cx, select)
        }
        PrepMsg::Failed(text) => {
            match &mut s.form {
                Some(f) => f.form.refuse(text),
                None => out.error(text),
            }
            vec![]
        }
        PrepMsg::Stale(text) => {
            match &mut s.form {
                Some(f) => f.form.refuse(text),
                None => out.error(text),
            }
            s.refresh(cx)
        }
    }
}

fn on_key(s: &mut PrepState, cx: &Ctx<'_>, out: &mut Out, action: Option<Command>, k: KeyEvent) -> Vec<PrepEffect> {
    if let Some(f) = &mut s.form {
        return match f.form.on_key(action, k) {
            FormReply::Stay | FormReply::Chose(_) => vec![],
            FormReply::Cancel => {
                s.form = None;
                out.info("入力を取り消しました");
                vec![]
            }
            FormReply::Submit { .. } => match f.submit(cx.config, cx.today) {
                Ok(effect) => vec![effect],
                Err(e) => {
                    f.form.refuse(e);
                    vec![]
                }
            },
        };
    }
    let Some(action) = action else { return vec![] };
    if !matches!(action, Command::Rebuild | Command::AcceptCapacity) {
        s.confirm.clear();
    }
    let item = s.selected_item().cloned();
    let d = s.data.as_ref();
    let case = item.as_ref().and_then(|i| d?.case(i.case_id));
    if cx.present && matches!(action, Command::EditDraft | Command::AskAgency) {
        out.error(crate::tui::screen::NOT_WHILE_PRESENTING);
        return vec![];
    }
    match action {
        Command::Quit => out.quit(),
        Command::EditDraft => match (&item, case) {
            (Some(i), Some(c)) => {
                let ranks = cx.config.rank_scheme(c.registration);
                s.form = Some(PrepForm::draft(i, &c.number, ranks, &cx.config.closing.categories));
            }
            _ => out.error("事務局案を書く議題を選んでください"),
        },
        Command::AskAgency => match (&item, case, d) {
            (Some(i), Some(c), Some(d)) => {
                let agencies: Vec<(Id, String)> = d
                    .involved(c.id)
                    .into_iter()
                    .filter_map(|a| cx.agencies.iter().find(|x| x.id == a))
                    .filter(|a| a.kind != crate::domain::AgencyKind::Secretariat)
                    .map(|a| (a.id, a.name.clone()))
                    .collect();
                if agencies.is_empty() {
                    out.error(format!("ケース {} に関わる機関がありません", c.number));
                } else {
                    s.form = Some(PrepForm::ask(i.id, &c.number, agencies));
                }
            }
            _ => out.error("質問する議題を選んでください"),
        },
        Command::ExportPackets => match d.and_then(|d| Some((d.meeting.as_ref()?.id, d.out_dir.clone()))) {
            Some((id, dir)) => s.form = Some(PrepForm::packets(id, &dir)),
            None => out.error("会議を選んでください"),
        },
        _ => return on_action(s, cx, out, action),
    }
    vec![]
}

/// The meeting to open: the next planned one from today, else the latest planned, else the newest.
pub fn default_meeting(meetings: &[MeetingRef], today: NaiveDate) -> Option<Id> {
    let planned = || meetings.iter().filter(|m| m.status != MeetingStatus::Closed);
    planned()
        .filter(|m| m.date.is_some_and(|d| d >= today))
        .min_by_key(|m| m.date)
        .or_else(|| planned().max_by_key(|m| m.date))
        .or_else(|| meetings.first())
        .map(|m| m.id)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod update_tests;
