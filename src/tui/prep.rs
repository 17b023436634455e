//! 会議準備: the preparation screen's state and its pure rules. Both tracks (一括確認 /
//! 重点協議) side by side, the plan per session against its time budget, and the secretariat's
//! hand edits: move to the other track or session, reorder, lock, edit the 事務局案.
//!
//! Siblings are one agenda block (same `block`): track, session, order and lock change for
//! the whole block so a household is never split. A locked item keeps its place: it must be
//! unlocked before it can be moved.

use chrono::{Duration, NaiveDate, NaiveTime};
use ratatui::layout::{Constraint, Layout, Rect};

use super::keymap::Action;
use super::msg::Effect;
use crate::domain::config::Budget;
use crate::domain::sheet_merge::{self, MergedSheets};
use crate::domain::{AgendaItem, AssessmentSheet, Case, Config, Id, Meeting, MeetingStatus, Session, Track};

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
    /// In agenda order (session, position).
    pub items: Vec<AgendaItem>,
    /// The cases on the agenda.
    pub cases: Vec<Case>,
    /// Sheets and sheet requests of those cases, for the merged view.
    pub sheets: Vec<AssessmentSheet>,
    pub requests: Vec<(Id, Id, NaiveDate)>,
    /// Folder proposed for the packets.
    pub out_dir: String,
    /// Item to select after loading.
    pub select: Option<Id>,
}

impl PrepData {
    pub fn case(&self, id: Id) -> Option<&Case> {
        self.cases.iter().find(|c| c.id == id)
    }
}

#[derive(Debug, Clone, Default)]
pub struct PrepState {
    pub data: Option<PrepData>,
    /// The focused column.
    pub focus: Column,
    /// Selected row in each column.
    pub selected: [usize; 2],
    /// The rebuild key was pressed once; the next press rebuilds.
    pub rebuild_armed: bool,
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

/// What a key led to.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Effects(Vec<Effect>),
    Info(String),
    Error(String),
}

/// One session's line of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionPlan {
    pub label: String,
    pub session: Option<Session>,
    pub quick: usize,
    pub deep: usize,
    pub minutes: f64,
    /// Expected end: start + the items' minutes.
    pub end: Option<NaiveTime>,
    pub over: bool,
}

/// Counts, minutes and the expected end per session (items without a session last).
pub fn plan(items: &[AgendaItem], sessions: &[Session], budget: &Budget) -> Vec<SessionPlan> {
    let line = |label: String, session: Option<&Session>, sid: Option<Id>| {
        let of = |t: Track| items.iter().filter(|i| i.session_id == sid && i.track == t).count();
        let (quick, deep) = (of(Track::Quick), of(Track::Deep));
        let minutes = quick as f64 * budget.quick_minutes + deep as f64 * budget.deep_minutes;
        let end = session.map(|s| s.start + Duration::seconds((minutes * 60.0).round() as i64));
        let over = session.is_some_and(|s| minutes > s.budget_minutes() as f64);
        SessionPlan { label, session: session.cloned(), quick, deep, minutes, end, over }
    };
    let mut out: Vec<SessionPlan> = sessions.iter().map(|s| line(s.label.clone(), Some(s), Some(s.id))).collect();
    if items.iter().any(|i| i.session_id.is_none()) {
        out.push(line("日程未定".into(), None, None));
    }
    out
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
        Some(sheet_merge::merge(item.case_id, &d.sheets, &d.requests))
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

/// Saves `items` and shows `message`, keeping the selection on `select`.
fn save(items: Vec<AgendaItem>, message: String, select: Id) -> Reply {
    Reply::Effects(vec![Effect::SaveAgendaItems { items, message, select }])
}

fn siblings_note(block: &[AgendaItem]) -> String {
    if block.len() > 1 { format!("（きょうだい {} 件と一緒に）", block.len() - 1) } else { String::new() }
}

/// Keys of the preparation screen that do not open a form.
pub fn on_action(s: &mut PrepState, action: Action, rows: usize, config: &Config, today: NaiveDate) -> Reply {
    let armed = std::mem::take(&mut s.rebuild_armed);
    let none = Reply::Effects(vec![]);
    match action {
        Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::First | Action::Last => {
            let n = s.column(s.focus).len();
            let cur = &mut s.selected[s.focus.index()];
            let page = rows.max(1);
            *cur = match action {
                Action::Up => cur.saturating_sub(1),
                Action::Down => (*cur + 1).min(n.saturating_sub(1)),
                Action::PageUp => cur.saturating_sub(page),
                Action::PageDown => (*cur + page).min(n.saturating_sub(1)),
                Action::First => 0,
                _ => n.saturating_sub(1),
            };
            none
        }
        Action::OtherColumn => {
            s.focus = if s.focus == Column::Quick { Column::Deep } else { Column::Quick };
            none
        }
        Action::NextMeeting => {
            let Some(d) = &s.data else { return none };
            if d.meetings.is_empty() {
                return Reply::Error("会議がありません".into());
            }
            let at = s.meeting_id().and_then(|id| d.meetings.iter().position(|m| m.id == id));
            let next = d.meetings[at.map(|i| (i + 1) % d.meetings.len()).unwrap_or(0)].id;
            Reply::Effects(vec![Effect::LoadPrep { meeting: Some(next), select: None, today }])
        }
        Action::Rebuild => {
            let Some(meeting) = s.meeting_id() else { return Reply::Error("会議を選んでください".into()) };
            if !armed {
                s.rebuild_armed = true;
                return Reply::Info("もう一度押すと議事次第を作り直します（固定した議題はそのまま残ります）".into());
            }
            Reply::Effects(vec![Effect::RebuildAgenda { meeting, today, config: Box::new(config.clone()) }])
        }
        Action::OtherTrack
        | Action::PrevSession
        | Action::NextSession
        | Action::MoveUp
        | Action::MoveDown
        | Action::Lock => edit_block(s, action),
        _ => none,
    }
}

/// Changes the selected block: track, session, order or lock.
fn edit_block(s: &PrepState, action: Action) -> Reply {
    let Some(sel) = s.selected_item().cloned() else { return Reply::Error("議題を選んでください".into()) };
    let number = s.number(sel.case_id);
    let block = s.block();
    let note = siblings_note(&block);
    if action == Action::Lock {
        let locked = !sel.locked;
        let items = block.into_iter().map(|i| AgendaItem { locked, ..i }).collect();
        let verb = if locked {
            "固定しました（作り直しても動きません）"
        } else {
            "固定を解除しました"
        };
        return save(items, format!("ケース {number} を{verb}{note}"), sel.id);
    }
    if sel.locked {
        return Reply::Error(format!("ケース {number} は固定中です。固定を解除してから動かしてください"));
    }
    let Some(d) = &s.data else { return Reply::Effects(vec![]) };
    match action {
        Action::OtherTrack => {
            let track = if sel.track == Track::Quick { Track::Deep } else { Track::Quick };
            let items = block.into_iter().map(|i| AgendaItem { track, ..i }).collect();
            save(items, format!("ケース {number} を{}へ移しました{note}", track.label()), sel.id)
        }
        Action::PrevSession | Action::NextSession => {
            let at = sel.session_id.and_then(|id| d.sessions.iter().position(|x| x.id == id));
            let target = match (action, at) {
                (Action::NextSession, None) => d.sessions.first(),
                (Action::NextSession, Some(i)) => d.sessions.get(i + 1),
                (_, Some(i)) if i > 0 => d.sessions.get(i - 1),
                _ => None,
            };
            let Some(target) = target else {
                let which = if action == Action::NextSession { "後" } else { "前" };
                return Reply::Error(format!("これより{which}の日程はありません"));
            };
            // Joins the end of the target session.
            let last = d.items.iter().filter(|i| i.session_id == Some(target.id)).map(|i| i.position).max();
            let base = last.map(|p| p + 1).unwrap_or(0);
            let items = block
                .into_iter()
                .enumerate()
                .map(|(k, i)| AgendaItem { session_id: Some(target.id), position: base + k as i64, ..i })
                .collect();
            save(items, format!("ケース {number} を「{}」へ移しました{note}", target.label), sel.id)
        }
        _ => reorder(d, &sel, action == Action::MoveUp, &number),
    }
}

/// Swaps the selected block with the neighbouring block of the same track and session. The
/// positions the two blocks held are reused, so the other track's order is untouched.
fn reorder(d: &PrepData, sel: &AgendaItem, up: bool, number: &str) -> Reply {
    let same: Vec<&AgendaItem> =
        d.items.iter().filter(|i| i.track == sel.track && i.session_id == sel.session_id).collect();
    let mut blocks: Vec<Vec<&AgendaItem>> = Vec::new();
    for i in same {
        match blocks.last_mut() {
            Some(b) if b[0].block == i.block => b.push(i),
            _ => blocks.push(vec![i]),
        }
    }
    let Some(at) = blocks.iter().position(|b| b.iter().any(|i| i.id == sel.id)) else {
        return Reply::Effects(vec![]);
    };
    let other = if up { at.checked_sub(1) } else { Some(at + 1).filter(|&n| n < blocks.len()) };
    let Some(other) = other else {
        return Reply::Error(format!("これ以上{}へは動かせません", if up { "上" } else { "下" }));
    };
    if blocks[other].iter().any(|i| i.locked) {
        return Reply::Error("隣の議題が固定中のため入れ替えられません".into());
    }
    let (a, b) = (at.min(other), at.max(other));
    let mut slots: Vec<i64> = blocks[a].iter().chain(&blocks[b]).map(|i| i.position).collect();
    slots.sort_unstable();
    let items: Vec<AgendaItem> = blocks[b]
        .iter()
        .chain(&blocks[a])
        .zip(slots)
        .map(|(i, position)| AgendaItem { position, ..(*i).clone() })
        .collect();
    let dir = if up { "上" } else { "下" };
    save(items, format!("ケース {number} を{dir}へ動かしました"), sel.id)
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
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::domain::meeting::{Question, SecretariatDraft};
    use crate::domain::{ItemState, MeetingKind};
    use crate::store::Store;
    use crate::tui::model::{Model, Screen};
    use crate::tui::msg::Msg;
    use crate::tui::tests::{demo_at, draw, key, pump, screen, typ};

    /// A small agenda for the demo's next meeting by hand: a household's siblings as one quick
    /// block, then single cases alternating deep and quick over the sessions.
    fn agenda(store: &mut Store) -> Id {
        let meeting = store.meetings().unwrap().into_iter().find(|m| m.status == MeetingStatus::Planned).unwrap().id;
        let sessions = store.sessions(meeting).unwrap();
        let cases = store.cases(false).unwrap();
        let pair: Vec<&Case> = cases
            .iter()
            .filter(|c| c.household_id.is_some_and(|h| cases.iter().filter(|x| x.household_id == Some(h)).count() == 2))
            .take(2)
            .collect();
        let singles =
            cases.iter().filter(|c| c.household_id.is_none_or(|h| !pair.iter().any(|p| p.household_id == Some(h))));
        let mut list: Vec<(&Case, Track, usize)> = pair.iter().map(|c| (*c, Track::Quick, 0)).collect();
        list.extend(
            singles.take(8).enumerate().map(|(n, c)| (c, if n % 2 == 0 { Track::Deep } else { Track::Quick }, n % 2)),
        );
        store
            .write(|t| {
                for (pos, (c, track, session)) in list.iter().enumerate() {
                    t.save_agenda_item(&AgendaItem {
                        id: 0,
                        meeting_id: meeting,
                        session_id: Some(sessions[*session].id),
                        case_id: c.id,
                        block: c.household_id.unwrap_or(c.id),
                        position: pos as i64,
                        track: *track,
                        reasons: vec![format!("理由{pos}")],
                        draft: SecretariatDraft { policy: "見守り継続".into(), ..Default::default() },
                        questions: c
                            .affiliation
                            .map(|a| vec![Question { agency_id: a, text: "登校の様子".into() }])
                            .unwrap_or_default(),
                        locked: false,
                        state: ItemState::Pending,
                        elapsed_secs: 0,
                    })?;
                }
                Ok(())
            })
            .unwrap();
        meeting
    }

    fn prep_at(w: u16, h: u16) -> (Store, Model) {
        let (mut s, mut m) = demo_at(w, h);
        agenda(&mut s);
        pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT)));
        assert_eq!(m.screen, Screen::Prep);
        (s, m)
    }

    fn ch(c: char) -> Msg {
        key(KeyCode::Char(c))
    }

    fn selected(m: &Model) -> AgendaItem {
        m.prep.selected_item().cloned().expect("an item is selected")
    }

    #[test]
    fn opens_the_next_planned_meeting_with_both_tracks_and_the_plan() {
        let (_s, m) = prep_at(160, 45);
        let d = m.prep.data.as_ref().unwrap();
        assert_eq!(d.meeting.as_ref().unwrap().kind, MeetingKind::Progress);
        assert_eq!(d.meeting.as_ref().unwrap().status, MeetingStatus::Planned);
        assert_eq!(d.items.len(), 10);
        let text = screen(&m);
        assert!(text.contains("一括確認 6件") && text.contains("重点協議 4件"), "{text}");
        assert!(text.contains("1日目 午前（乳幼児会）") && text.contains("終了見込"), "{text}");
        assert!(text.contains("[事務局案]") && text.contains("[アセスメントシート]"), "{text}");
        let plan = plan(&d.items, &d.sessions, &m.config.budget);
        assert_eq!(plan.iter().map(|p| p.quick + p.deep).sum::<usize>(), 10);
    }

    #[test]
    fn moving_to_the_other_track_takes_the_siblings_along_and_is_saved() {
        let (mut s, mut m) = prep_at(160, 45);
        let first = selected(&m);
        assert_eq!(first.track, Track::Quick);
        let block: Vec<Id> = m.prep.items().iter().filter(|i| i.block == first.block).map(|i| i.id).collect();
        assert_eq!(block.len(), 2, "the demo's household pair");
        pump(&mut s, &mut m, ch('t'));
        for id in &block {
            assert_eq!(s.agenda_item(*id).unwrap().track, Track::Deep);
        }
        assert_eq!(m.prep.focus, Column::Deep, "the selection follows the item");
        assert_eq!(selected(&m).id, first.id);
        assert!(m.status.as_ref().unwrap().text.contains("重点協議へ移しました（きょうだい 1 件と一緒に）"));
        assert!(!s.audit_entries(Some("agenda_item"), Some(first.id), 10).unwrap().is_empty(), "audited");
    }

    #[test]
    fn a_locked_item_stays_until_unlocked() {
        let (mut s, mut m) = prep_at(80, 24);
        let id = selected(&m).id;
        pump(&mut s, &mut m, ch(' '));
        assert!(s.agenda_item(id).unwrap().locked);
        pump(&mut s, &mut m, ch('t'));
        assert_eq!(s.agenda_item(id).unwrap().track, Track::Quick);
        assert!(m.status.as_ref().unwrap().error && m.status.as_ref().unwrap().text.contains("固定中"));
        pump(&mut s, &mut m, ch(' '));
        assert!(!s.agenda_item(id).unwrap().locked);
    }

    #[test]
    fn sessions_and_order_change_by_keys() {
        let (mut s, mut m) = prep_at(160, 45);
        let sessions = m.prep.data.as_ref().unwrap().sessions.clone();
        pump(&mut s, &mut m, key(KeyCode::Tab));
        let deep = selected(&m);
        assert_eq!(deep.track, Track::Deep);
        pump(&mut s, &mut m, ch('<'));
        assert!(m.status.as_ref().unwrap().text.contains("前の日程はありません"));
        pump(&mut s, &mut m, ch('>'));
        assert_eq!(s.agenda_item(deep.id).unwrap().session_id, Some(sessions[1].id));
        // The second deep item (session 1) now comes first among the deep items of session 1.
        pump(&mut s, &mut m, ch('<'));
        let back = s.agenda_item(deep.id).unwrap();
        assert_eq!(back.session_id, Some(sessions[0].id));
        let col = m.prep.column(Column::Deep);
        let same: Vec<Id> = col
            .iter()
            .map(|&i| &m.prep.items()[i])
            .filter(|i| i.session_id == Some(sessions[0].id))
            .map(|i| i.id)
            .collect();
        assert_eq!(same.last(), Some(&deep.id), "joins the end of the session");
        pump(&mut s, &mut m, ch('K'));
        let after: Vec<Id> = m
            .prep
            .column(Column::Deep)
            .iter()
            .map(|&i| &m.prep.items()[i])
            .filter(|i| i.session_id == Some(sessions[0].id))
            .map(|i| i.id)
            .collect();
        assert_eq!(after[after.len() - 2], deep.id, "moved up one");
        assert_eq!(selected(&m).id, deep.id);
    }

    #[test]
    fn the_draft_is_edited_in_a_form_and_saved() {
        let (mut s, mut m) = prep_at(80, 24);
        let id = selected(&m).id;
        pump(&mut s, &mut m, key(KeyCode::Enter));
        assert!(m.form.is_some());
        assert_eq!(m.mode(), crate::tui::keymap::Mode::FormText, "状況 is multi-line");
        typ(&mut s, &mut m, "登校は安定");
        pump(&mut s, &mut m, key(KeyCode::Enter));
        typ(&mut s, &mut m, "家庭訪問を継続");
        for _ in 0..3 {
            pump(&mut s, &mut m, key(KeyCode::Tab));
        }
        typ(&mut s, &mut m, "R9.2.30");
        pump(&mut s, &mut m, key(KeyCode::F(10)));
        assert!(m.form.as_ref().unwrap().error.as_ref().unwrap().contains("次回確認日"), "a bad date names the field");
        for _ in 0..7 {
            pump(&mut s, &mut m, key(KeyCode::Backspace));
        }
        typ(&mut s, &mut m, "R9.2.26");
        pump(&mut s, &mut m, key(KeyCode::F(10)));
        assert!(m.form.is_none(), "{:?}", m.form.as_ref().map(|f| f.error.clone()));
        let d = s.agenda_item(id).unwrap().draft;
        assert_eq!(d.summary, "登校は安定\n家庭訪問を継続");
        assert_eq!(d.policy, "見守り継続");
        assert_eq!(d.next_review, NaiveDate::from_ymd_opt(2027, 2, 26));
    }

    #[test]
    fn rebuilding_asks_for_a_second_press() {
        let (mut s, mut m) = prep_at(80, 24);
        let effects = pump(&mut s, &mut m, key(KeyCode::F(8)));
        assert!(effects.is_empty() && m.prep.rebuild_armed);
        assert!(m.status.as_ref().unwrap().text.contains("もう一度"));
        let effects = pump(&mut s, &mut m, key(KeyCode::F(8)));
        assert!(matches!(effects[0], Effect::RebuildAgenda { .. }));
    }

    #[test]
    fn packets_are_exported_to_the_folder_in_the_form() {
        let (mut s, mut m) = prep_at(80, 24);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("送付");
        pump(&mut s, &mut m, key(KeyCode::F(7)));
        let form = m.form.as_mut().expect("the folder form");
        form.fields[0].value = crate::tui::form::FieldValue::Text(tui_input::Input::new(out.display().to_string()));
        pump(&mut s, &mut m, key(KeyCode::F(10)));
        assert!(m.form.is_none());
        assert!(m.status.as_ref().unwrap().text.contains("事前送付資料"));
        assert!(std::fs::read_dir(&out).unwrap().count() >= 2);
        // A second export into the same folder refuses and keeps the form open.
        pump(&mut s, &mut m, key(KeyCode::F(7)));
        let form = m.form.as_mut().unwrap();
        form.fields[0].value = crate::tui::form::FieldValue::Text(tui_input::Input::new(out.display().to_string()));
        pump(&mut s, &mut m, key(KeyCode::F(10)));
        assert!(m.form.as_ref().unwrap().error.as_ref().unwrap().contains("既に存在します"));
    }

    #[test]
    fn prep_screen_80x24() {
        let (_s, m) = prep_at(80, 24);
        insta::assert_snapshot!(crate::tui::tests::buffer_text(draw(&m).backend().buffer()));
    }

    #[test]
    fn prep_screen_160x45() {
        let (_s, m) = prep_at(160, 45);
        insta::assert_snapshot!(crate::tui::tests::buffer_text(draw(&m).backend().buffer()));
    }
}
