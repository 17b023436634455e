//! 会議進行: the live meeting screen's state and its pure key handling. The meeting is run in
//! three parts (出欠 → 前回の役割分担 → ケース協議); every change goes out as an effect and is
//! stored at once, what is typed in a deep item's form is saved on every change, and time
//! only comes in through `Msg::Tick`, so this stays testable without a clock.

pub mod io;
pub mod view;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use ratatui::style::Style;
use ratatui_textarea::{TextArea, WrapMode};
use tui_input::Input;

use super::confirm::Confirmable;
use super::form::{Field, FieldKey, FieldValue, Form, FormKind};
use super::keymap::Command;
use super::model::Model;
use super::msg::{Effect, Msg};
use crate::domain::conduct::{self, ActionLine, DeepForm, DeepRecord, DraftKey, Move, Phase};
use crate::domain::sheet_merge::MergedSheets;
use crate::domain::{
    Action, ActionStatus, Agency, AgendaItem, Attendance, AttendanceStatus, Case, Config, Decision, DecisionKind, Id,
    ItemState, Meeting, MeetingStatus, Session, Track, wareki,
};

/// One agenda item with everything the screen shows for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemView {
    pub item: AgendaItem,
    pub case: Case,
    pub merged: MergedSheets,
    /// Decisions about the case in earlier meetings, newest last.
    pub history: Vec<Decision>,
    /// The decision recorded in this meeting, if any.
    pub decision: Option<Decision>,
    /// 役割分担 recorded for the case in this meeting.
    pub actions: Vec<ActionLine>,
    /// Name of the new lead when the decision changes it.
    pub new_lead: Option<String>,
}

/// An institution expected at (or recorded in) the meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct AttendanceRow {
    pub agency: Agency,
    pub record: Option<Attendance>,
}

/// An action of an earlier meeting to review.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRow {
    pub action: Action,
    pub case_number: String,
    pub case_name: String,
    pub case_kana: String,
}

/// What the meeting screen shows, loaded in one go.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingData {
    pub meeting: Meeting,
    pub sessions: Vec<Session>,
    pub items: Vec<ItemView>,
    pub attendance: Vec<AttendanceRow>,
    pub reviews: Vec<ReviewRow>,
    /// (key, body) of what was being typed.
    pub drafts: Vec<(DraftKey, String)>,
    /// Set when another shinko runs this meeting: the screen is read-only.
    pub read_only: Option<String>,
    pub agencies: Vec<Agency>,
}

/// Store work the meeting screen asks for (run by `meeting::io`).
#[derive(Debug, Clone, PartialEq)]
pub enum MeetingEffect {
    /// Finds the meeting to run (or `id`), takes its lease when it is running.
    Load {
        id: Option<Id>,
        today: NaiveDate,
        take_lease: bool,
    },
    Start {
        id: Id,
    },
    Attend(Attendance),
    Review {
        meeting_id: Id,
        action_id: Id,
        status: ActionStatus,
        note: String,
    },
    /// 事務局案どおり: the store decides with [`crate::store::Store::accept_item`], the one rule the CLI uses
    /// too; `preview` is what the same rule gives on the screen's copy, shown until then.
    Accept {
        item_id: Id,
        preview: Box<Decision>,
        next: Option<Id>,
        config: Box<Config>,
    },
    Record {
        item_id: Id,
        record: Box<DeepRecord>,
        next: Option<Id>,
    },
    UpdateItem {
        item: Box<AgendaItem>,
        current: Option<Id>,
        message: String,
    },
    SetCurrent {
        meeting_id: Id,
        item: Option<Id>,
    },
    Elapsed {
        item_id: Id,
        secs: i64,
    },
    Draft {
        meeting_id: Id,
        key: DraftKey,
        body: String,
    },
    Heartbeat {
        meeting_id: Id,
        elapsed: Option<(Id, i64)>,
    },
    Replan {
        meeting_id: Id,
        moves: Vec<Move>,
    },
    Close {
        meeting_id: Id,
    },
    Release {
        meeting_id: Id,
    },
}

fn fx(e: MeetingEffect) -> Effect {
    Effect::Meeting(Box::new(e))
}

/// Seconds between heartbeats (the lease) and timer saves.
pub const BEAT_SECS: i64 = 10;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeetingState {
    pub data: Option<MeetingData>,
    /// A load was asked for and has not answered.
    pub loading: bool,
    pub phase: Phase,
    /// Selected row in the attendance and review lists.
    pub row: usize,
    /// 投影モード: names masked, private fields hidden.
    pub present: bool,
    /// Idle lock: the screen is blank until a key.
    pub locked: bool,
    pub idle_secs: i64,
    pub last_tick: Option<NaiveDateTime>,
    /// Time of day of the last tick (the timers' "now").
    pub now: Option<NaiveTime>,
    pub since_beat: i64,
    /// F12 pressed once waits for the second.
    pub confirm: super::confirm::Confirm,
    /// Loaded at least once (the first load decides the part and may reopen a draft).
    pub opened: bool,
}

impl MeetingState {
    pub fn current(&self) -> Option<&ItemView> {
        let d = self.data.as_ref()?;
        let id = d.meeting.current_item?;
        d.items.iter().find(|i| i.item.id == id)
    }

    fn current_index(&self) -> Option<usize> {
        let d = self.data.as_ref()?;
        let id = d.meeting.current_item?;
        d.items.iter().position(|i| i.item.id == id)
    }

    fn items(&self) -> Vec<AgendaItem> {
        self.data.as_ref().map(|d| d.items.iter().map(|i| i.item.clone()).collect()).unwrap_or_default()
    }

    /// The session of the current item (else the first with items still to discuss).
    pub fn session(&self) -> Option<&Session> {
        let d = self.data.as_ref()?;
        let sid = self
            .current()
            .and_then(|i| i.item.session_id)
            .or_else(|| d.items.iter().find(|i| i.item.state == ItemState::Pending).and_then(|i| i.item.session_id))?;
        d.sessions.iter().find(|s| s.id == sid)
    }

    fn running(&self) -> bool {
        self.data.as_ref().is_some_and(|d| d.meeting.status == MeetingStatus::InProgress && d.read_only.is_none())
    }
}

/// Entering the screen loads the meeting (once; later the data is kept fresh by reloads).
pub fn on_enter(m: &mut Model) -> Vec<Effect> {
    if m.meeting.data.is_some() || m.meeting.loading {
        return vec![];
    }
    m.meeting.loading = true;
    m.meeting.present = m.config.confidentiality.present_by_default;
    vec![fx(MeetingEffect::Load { id: None, today: m.today, take_lease: true })]
}

/// Reads the meeting again: after a save, and after a refused effect (what the store holds
/// replaces the screen's optimistic copy).
pub fn reload(m: &Model) -> Vec<Effect> {
    let id = m.meeting.data.as_ref().map(|d| d.meeting.id);
    vec![fx(MeetingEffect::Load { id, today: m.today, take_lease: false })]
}

pub fn on_loaded(m: &mut Model, data: Option<MeetingData>) -> Vec<Effect> {
    let s = &mut m.meeting;
    s.loading = false;
    let Some(mut data) = data else {
        s.opened = true;
        return vec![];
    };
    // The timer of the item on screen runs ahead of the last save; keep the larger.
    if let Some(old) = &s.data {
        for iv in &mut data.items {
            if let Some(o) = old.items.iter().find(|o| o.item.id == iv.item.id) {
                iv.item.elapsed_secs = iv.item.elapsed_secs.max(o.item.elapsed_secs);
            }
        }
    }
    let first = !s.opened;
    s.opened = true;
    // Closing the meeting changed the ledger: the ledger screen reloads.
    let was_running = s.data.as_ref().is_some_and(|d| d.meeting.status == MeetingStatus::InProgress);
    let reload_ledger = was_running && data.meeting.status == MeetingStatus::Closed;
    if first {
        s.phase = if data.meeting.current_item.is_some() { Phase::Agenda } else { Phase::Attendance };
    }
    if let Some(msg) = &data.read_only {
        m.error(msg.clone());
    }
    let resume = first && data.read_only.is_none() && data.meeting.status == MeetingStatus::InProgress;
    m.meeting.data = Some(data);
    m.meeting.row = m.meeting.row.min(row_count(&m.meeting).saturating_sub(1));
    // After a crash, the form that was open comes back with what was typed.
    if resume && m.meeting.phase == Phase::Agenda && m.form.is_none() {
        let has_draft = m.meeting.current().is_some_and(|iv| {
            let key = DraftKey::Item(iv.item.id);
            m.meeting.data.as_ref().is_some_and(|d| d.drafts.iter().any(|(k, _)| *k == key))
        });
        if has_draft {
            open_item_form(m);
            m.info("前回入力中だった内容を復元しました");
        }
    }
    if reload_ledger { vec![Effect::LoadLedger { select: None }] } else { vec![] }
}

pub fn on_saved(m: &mut Model, message: String, reload_data: bool) -> Vec<Effect> {
    if owns_form(m) {
        m.form = None;
    }
    m.info(message);
    if reload_data { reload(m) } else { vec![] }
}

fn row_count(s: &MeetingState) -> usize {
    let Some(d) = &s.data else { return 0 };
    match s.phase {
        Phase::Attendance => d.attendance.len(),
        Phase::ActionReview => d.reviews.len(),
        Phase::Agenda => d.items.len(),
    }
}

/// Every tick: timers, heartbeat, idle lock. Time only ever comes from here.
pub fn on_tick(m: &mut Model, now: NaiveDateTime) -> Vec<Effect> {
    let s = &mut m.meeting;
    let delta = s.last_tick.map(|t| (now - t).num_seconds().clamp(0, 5)).unwrap_or(0);
    s.last_tick = Some(now);
    s.now = Some(now.time());
    s.idle_secs += delta;
    let limit = i64::from(m.config.confidentiality.idle_lock_minutes) * 60;
    if limit > 0 && s.idle_secs >= limit {
        s.locked = true;
    }
    if !s.running() {
        return vec![];
    }
    let timing = s.phase == Phase::Agenda && !s.locked;
    let mut elapsed = None;
    if timing && let Some(i) = s.current_index() {
        let d = s.data.as_mut().expect("running means loaded");
        let it = &mut d.items[i].item;
        if it.state == ItemState::Pending {
            it.elapsed_secs += delta;
        }
        elapsed = Some((it.id, it.elapsed_secs));
    }
    s.since_beat += delta;
    if s.since_beat < BEAT_SECS {
        return vec![];
    }
    s.since_beat = 0;
    let meeting_id = s.data.as_ref().map(|d| d.meeting.id).unwrap_or_default();
    vec![fx(MeetingEffect::Heartbeat { meeting_id, elapsed })]
}

/// A key while the screen is locked only unlocks it. Every key resets the idle time.
pub fn unlock_on_key(m: &mut Model) -> bool {
    m.meeting.idle_secs = 0;
    std::mem::take(&mut m.meeting.locked)
}

/// Saves the timer of the item on screen before moving off it.
fn save_elapsed(s: &MeetingState) -> Vec<Effect> {
    s.current()
        .map(|iv| fx(MeetingEffect::Elapsed { item_id: iv.item.id, secs: iv.item.elapsed_secs }))
        .into_iter()
        .collect()
}

pub fn on_key(m: &mut Model, action: Option<Command>) -> Vec<Effect> {
    let effects = on_key_inner(m, action);
    apply_locally(&mut m.meeting, &effects);
    effects
}

/// Applies a change to the screen's copy at once, so keys that arrive before the store's
/// answer (fast typing, key repeat) act on the new state rather than the old one.
fn apply_locally(s: &mut MeetingState, effects: &[Effect]) {
    let Some(d) = &mut s.data else { return };
    for e in effects {
        let Effect::Meeting(b) = e else { continue };
        match &**b {
            MeetingEffect::Attend(a) => {
                if let Some(r) = d.attendance.iter_mut().find(|r| r.agency.id == a.agency_id) {
                    r.record = Some(a.clone());
                }
                let key = DraftKey::Attendance(a.agency_id);
                d.drafts.retain(|(k, _)| *k != key);
            }
            MeetingEffect::Review { action_id, status, note, .. } => {
                if let Some(r) = d.reviews.iter_mut().find(|r| r.action.id == *action_id) {
                    r.action.status = *status;
                    r.action.review_note = note.clone();
                }
                let key = DraftKey::ActionReview(*action_id);
                d.drafts.retain(|(k, _)| *k != key);
            }
            MeetingEffect::Accept { item_id, next, preview: decision, .. } => {
                let key = DraftKey::Item(*item_id);
                d.drafts.retain(|(k, _)| *k != key);
                if let Some(iv) = d.items.iter_mut().find(|i| i.item.id == *item_id) {
                    iv.item.state = ItemState::Done;
                    iv.decision = Some((**decision).clone());
                }
                d.meeting.current_item = *next;
            }
            MeetingEffect::Record { item_id, next, .. } => {
                if let Some(iv) = d.items.iter_mut().find(|i| i.item.id == *item_id) {
                    iv.item.state = ItemState::Done;
                }
                d.meeting.current_item = *next;
            }
            MeetingEffect::UpdateItem { item, current, .. } => {
                if let Some(iv) = d.items.iter_mut().find(|i| i.item.id == item.id) {
                    iv.item = (**item).clone();
                }
                d.meeting.current_item = *current;
            }
            _ => {}
        }
    }
}

fn on_key_inner(m: &mut Model, action: Option<Command>) -> Vec<Effect> {
    let Some(action) = action else { return vec![] };
    let close = m.meeting.confirm.confirms(Confirmable::CloseMeeting);
    match action {
        Command::Quit => {
            m.quit = true;
            let mut out = save_elapsed(&m.meeting);
            if m.meeting.running() {
                let meeting_id = m.meeting.data.as_ref().map(|d| d.meeting.id).unwrap_or_default();
                out.push(fx(MeetingEffect::Release { meeting_id }));
            }
            out.push(Effect::Quit);
            return out;
        }
        Command::MeetingPresent => {
            m.meeting.present = !m.meeting.present;
            m.info(if m.meeting.present {
                "投影モード: 氏名を伏せています"
            } else {
                "投影モードを解除しました"
            });
            return vec![];
        }
        _ => {}
    }
    let Some(d) = &m.meeting.data else {
        if !m.meeting.loading {
            m.error("開催予定の会議がありません。会議準備の画面で会議を作成してください");
        }
        return vec![];
    };
    if let Some(msg) = &d.read_only {
        let msg = msg.clone();
        m.error(msg);
        return vec![];
    }
    match d.meeting.status {
        MeetingStatus::Closed => {
            m.error("この会議は終了しています");
            return vec![];
        }
        MeetingStatus::Planned => {
            if action == Command::MeetingAccept {
                return vec![fx(MeetingEffect::Start { id: d.meeting.id })];
            }
            m.error("Enter で会議を開始してください");
            return vec![];
        }
        MeetingStatus::InProgress => {}
    }
    match action {
        Command::MeetingNextPhase | Command::MeetingPrevPhase => {
            let s = &mut m.meeting;
            let to = if action == Command::MeetingNextPhase { s.phase.next() } else { s.phase.prev() };
            if to != s.phase {
                s.phase = to;
                s.row = 0;
            }
            if to == Phase::Agenda && s.current().is_none() {
                let next = conduct::next_pending(&s.items(), None);
                if let Some(d) = &mut s.data {
                    d.meeting.current_item = next;
                }
                let meeting_id = s.data.as_ref().map(|d| d.meeting.id).unwrap_or_default();
                return vec![fx(MeetingEffect::SetCurrent { meeting_id, item: next })];
            }
            vec![]
        }
        Command::MeetingClose if close => {
            let meeting_id = m.meeting.data.as_ref().map(|d| d.meeting.id).unwrap_or_default();
            let mut out = save_elapsed(&m.meeting);
            out.push(fx(MeetingEffect::Close { meeting_id }));
            out
        }
        Command::MeetingClose => {
            let pending = m.meeting.items().iter().filter(|i| i.state == ItemState::Pending).count();
            m.meeting.confirm.arm(Confirmable::CloseMeeting);
            let rest = if pending > 0 {
                format!("未協議の {pending} 件は次回へ延期されます。")
            } else {
                String::new()
            };
            m.error(format!("会議を終了して台帳に反映します。{rest}もう一度 F12 で確定"));
            vec![]
        }
        _ => match m.meeting.phase {
            Phase::Attendance => on_attendance_key(m, action),
            Phase::ActionReview => on_review_key(m, action),
            Phase::Agenda => on_agenda_key(m, action),
        },
    }
}

fn move_row(s: &mut MeetingState, action: Command) -> bool {
    let n = row_count(s);
    match action {
        Command::Up => s.row = s.row.saturating_sub(1),
        Command::Down => s.row = (s.row + 1).min(n.saturating_sub(1)),
        _ => return false,
    }
    true
}

fn on_attendance_key(m: &mut Model, action: Command) -> Vec<Effect> {
    if move_row(&mut m.meeting, action) {
        return vec![];
    }
    let Some(d) = &m.meeting.data else { return vec![] };
    let Some(row) = d.attendance.get(m.meeting.row) else { return vec![] };
    let meeting_id = d.meeting.id;
    let mut rec = row.record.clone().unwrap_or(Attendance {
        meeting_id,
        agency_id: row.agency.id,
        status: AttendanceStatus::Present,
        person: String::new(),
        info_received_on: None,
    });
    match action {
        Command::PrevValue | Command::NextValue | Command::MeetingAccept => {
            rec.status = match action {
                Command::MeetingAccept => AttendanceStatus::Present,
                a => conduct::cycle_attendance(row.record.as_ref().map(|r| r.status), a == Command::NextValue),
            };
            if rec.status != AttendanceStatus::InfoSent {
                rec.info_received_on = None;
            }
            if action == Command::MeetingAccept {
                m.meeting.row = (m.meeting.row + 1).min(d.attendance.len().saturating_sub(1));
            }
            vec![fx(MeetingEffect::Attend(rec))]
        }
        Command::MeetingEdit => {
            let name = row.agency.name.clone();
            let mut form = attendance_form(rec, name);
            restore_fields(&mut form, d);
            m.form = Some(form);
            vec![]
        }
        _ => vec![],
    }
}

fn on_review_key(m: &mut Model, action: Command) -> Vec<Effect> {
    if move_row(&mut m.meeting, action) {
        return vec![];
    }
    let Some(d) = &m.meeting.data else { return vec![] };
    let Some(row) = d.reviews.get(m.meeting.row) else { return vec![] };
    let meeting_id = d.meeting.id;
    let a = &row.action;
    match action {
        Command::PrevValue | Command::NextValue => {
            let status = conduct::cycle_action_status(a.status, action == Command::NextValue);
            vec![fx(MeetingEffect::Review { meeting_id, action_id: a.id, status, note: a.review_note.clone() })]
        }
        Command::MeetingAccept => {
            let n = d.reviews.len();
            let e = fx(MeetingEffect::Review {
                meeting_id,
                action_id: a.id,
                status: ActionStatus::Done,
                note: a.review_note.clone(),
            });
            m.meeting.row = (m.meeting.row + 1).min(n.saturating_sub(1));
            vec![e]
        }
        Command::MeetingEdit => {
            let mut form = note_form(meeting_id, a.clone(), &row.case_number);
            restore_fields(&mut form, d);
            m.form = Some(form);
            vec![]
        }
        _ => vec![],
    }
}

fn on_agenda_key(m: &mut Model, action: Command) -> Vec<Effect> {
    let s = &m.meeting;
    let Some(d) = &s.data else { return vec![] };
    let meeting_id = d.meeting.id;
    let items = s.items();
    match action {
        Command::Up | Command::Down | Command::First | Command::Last => {
            let n = items.len();
            if n == 0 {
                return vec![];
            }
            let at = s.current_index().unwrap_or(0);
            let to = match action {
                Command::Up => at.saturating_sub(1),
                Command::Down => (at + 1).min(n - 1),
                Command::First => 0,
                _ => n - 1,
            };
            let mut out = save_elapsed(s);
            let id = items[to].id;
            if let Some(d) = &mut m.meeting.data {
                d.meeting.current_item = Some(id);
            }
            out.push(fx(MeetingEffect::SetCurrent { meeting_id, item: Some(id) }));
            out
        }
        Command::MeetingAccept => {
            let Some(iv) = s.current() else { return vec![] };
            if iv.item.track == Track::Quick && iv.item.state == ItemState::Pending {
                let on = item_date(d, &iv.item, m.today);
                let decision = conduct::accept_as_proposed(meeting_id, &iv.item, &iv.case, &m.config, on);
                let next = conduct::next_pending(&items, Some(iv.item.id));
                let mut out = save_elapsed(s);
                let config = Box::new(m.config.clone());
                out.push(fx(MeetingEffect::Accept { item_id: iv.item.id, preview: Box::new(decision), next, config }));
                return out;
            }
            open_item_form(m);
            vec![]
        }
        Command::MeetingEdit => {
            open_item_form(m);
            vec![]
        }
        Command::MeetingToDeep | Command::MeetingDefer | Command::MeetingRevisit => {
            let Some(iv) = s.current() else { return vec![] };
            let mut item = iv.item.clone();
            let number = iv.case.number.clone();
            let (current, message) = match action {
                Command::MeetingToDeep => {
                    if item.track == Track::Deep {
                        m.error(format!("ケース {number} は既に重点協議です"));
                        return vec![];
                    }
                    item.move_to_deep();
                    (Some(item.id), format!("ケース {number} を重点協議に移しました"))
                }
                Command::MeetingDefer => {
                    item.defer();
                    (conduct::next_pending(&items, Some(item.id)), format!("ケース {number} を次回へ延期しました"))
                }
                _ => {
                    item.revisit();
                    (Some(item.id), format!("ケース {number} を再協議にしました"))
                }
            };
            let mut out = save_elapsed(s);
            out.push(fx(MeetingEffect::UpdateItem { item: Box::new(item), current, message }));
            out
        }
        Command::MeetingReplan => {
            let Some(session) = s.session() else { return vec![] };
            let now = s.now.unwrap_or(session.start);
            let cases: Vec<(Id, usize, usize)> = d
                .items
                .iter()
                .map(|iv| {
                    let scheme = m.config.rank_scheme(iv.case.registration);
                    (
                        iv.item.id,
                        scheme.ranks().len() - scheme.severity_index(&iv.case.rank).min(scheme.ranks().len()),
                        iv.item.reasons.len(),
                    )
                })
                .collect();
            let urgency =
                |i: &AgendaItem| cases.iter().find(|c| c.0 == i.id).map(|c| (c.1 * 10 + c.2) as i64).unwrap_or(0);
            let cur = d.meeting.current_item;
            let moves = conduct::replan(&items, &d.sessions, session.id, cur, &m.config.budget, now, urgency);
            if moves.is_empty() {
                m.info("再計画の必要はありません（または移せる重点協議がありません）");
                return vec![];
            }
            vec![fx(MeetingEffect::Replan { meeting_id, moves })]
        }
        _ => vec![],
    }
}

fn item_date(d: &MeetingData, item: &AgendaItem, today: NaiveDate) -> NaiveDate {
    crate::domain::meeting::item_date(item, &d.sessions, today)
}

// ---- forms -------------------------------------------------------------------------------

fn text(key: FieldKey, label: &'static str, v: &str) -> Field {
    Field { key, label, required: false, value: FieldValue::Text(Input::new(v.to_string())) }
}

fn multi(key: FieldKey, label: &'static str, v: &str, placeholder: &str) -> Field {
    let mut t = TextArea::new(v.lines().map(str::to_string).collect());
    t.set_wrap_mode(WrapMode::WordOrGlyph);
    t.set_cursor_line_style(Style::default());
    t.set_placeholder_text(placeholder);
    // Typing continues what is there.
    t.move_cursor(ratatui_textarea::CursorMove::Bottom);
    t.move_cursor(ratatui_textarea::CursorMove::End);
    Field { key, label, required: false, value: FieldValue::Multi(Box::new(t)) }
}

fn choice(key: FieldKey, label: &'static str, options: Vec<String>, current: &str) -> Field {
    let index = options.iter().position(|o| o == current).unwrap_or(0);
    Field { key, label, required: false, value: FieldValue::Choice { options, index } }
}

/// The deep item form for the current item: the draft typed before, else the recorded
/// decision, else the 事務局案.
fn open_item_form(m: &mut Model) {
    let s = &m.meeting;
    let (Some(d), Some(iv)) = (&s.data, s.current()) else { return };
    let key = DraftKey::Item(iv.item.id);
    let on = item_date(d, &iv.item, m.today);
    let df = d
        .drafts
        .iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, body)| serde_json::from_str::<DeepForm>(body).ok())
        .or_else(|| iv.decision.as_ref().map(|dec| DeepForm::from_decision(dec, &iv.actions, iv.new_lead.clone())))
        .unwrap_or_else(|| DeepForm::from_item(&iv.item, &iv.case, &m.config, on));
    let ranks: Vec<String> =
        m.config.rank_scheme(iv.case.registration).ranks().iter().map(|r| r.code.clone()).collect();
    let kinds: Vec<String> = DecisionKind::ALL.iter().map(|k| k.label().to_string()).collect();
    use FieldKey as K;
    let fields = vec![
        multi(K::Summary, "状況", &df.summary, "状況（各機関からの報告。Enter で改行）"),
        choice(K::Rank, "評価（ランク）", ranks, &df.rank),
        choice(K::Decision, "決定", kinds, &df.kind),
        text(K::Reason, "理由（終結等）", &df.reason),
        text(K::NewLead, "新主担当機関", &df.new_lead),
        multi(K::Policy, "援助方針", &df.policy, "援助方針（Enter で改行）"),
        multi(K::Actions, "役割分担", &df.actions, "1行に1件: 機関／担当者／内容／期限"),
        text(K::NextReview, "次回確認日", &df.next_review),
        multi(K::Notes, "メモ", &df.notes, "メモ（Enter で改行）"),
    ];
    let kind = FormKind::MeetingItem { meeting_id: d.meeting.id, item_id: iv.item.id, case: Box::new(iv.case.clone()) };
    m.form = Some(Form::with_fields(kind, fields));
}

fn attendance_form(rec: Attendance, agency: String) -> Form {
    let statuses = AttendanceStatus::ALL.iter().map(|s| s.label().to_string()).collect();
    let received = rec.info_received_on.map(|d| d.format("%Y/%m/%d").to_string()).unwrap_or_default();
    let fields = vec![
        choice(FieldKey::Attendance, "出欠", statuses, rec.status.label()),
        text(FieldKey::Person, "出席者", &rec.person),
        text(FieldKey::Received, "情報提供の受領日", &received),
    ];
    Form::with_fields(FormKind::MeetingAttendance(Box::new(rec), agency), fields)
}

/// The choices of a review, in the order offered.
const REVIEW_STATUSES: [ActionStatus; 4] =
    [ActionStatus::Done, ActionStatus::NotPossible, ActionStatus::NotDone, ActionStatus::Open];

fn note_form(meeting_id: Id, a: Action, number: &str) -> Form {
    let statuses = REVIEW_STATUSES.iter().map(|s| s.label().to_string()).collect();
    let fields = vec![
        choice(FieldKey::ActionStatus, "実施状況", statuses, a.status.label()),
        multi(FieldKey::Note, "メモ", &a.review_note, "理由・経過（状況の変化など）"),
    ];
    Form::with_fields(FormKind::ActionNote { meeting_id, action: Box::new(a), number: number.to_string() }, fields)
}

pub fn form_title(kind: &FormKind) -> String {
    match kind {
        FormKind::MeetingItem { case, .. } => format!("ケース {} の協議結果", case.number),
        FormKind::MeetingAttendance(_, agency) => format!("{agency} の出欠"),
        FormKind::ActionNote { number, .. } => format!("ケース {number} の役割分担の確認"),
        _ => String::new(),
    }
}

/// Whether the open form belongs to the meeting screen (its typing is saved as drafts).
pub fn owns_form(m: &Model) -> bool {
    m.form.as_ref().is_some_and(|f| {
        matches!(f.kind, FormKind::MeetingItem { .. } | FormKind::MeetingAttendance(..) | FormKind::ActionNote { .. })
    })
}

fn deep_form(form: &Form) -> DeepForm {
    use FieldKey as K;
    DeepForm {
        summary: form.get(K::Summary),
        rank: form.get(K::Rank),
        kind: form.get(K::Decision),
        reason: form.get(K::Reason),
        new_lead: form.get(K::NewLead),
        policy: form.get(K::Policy),
        actions: form.get(K::Actions),
        next_review: form.get(K::NextReview),
        notes: form.get(K::Notes),
    }
}

/// The draft key of an attendance or review form (their drafts are the fields' values).
pub fn small_form_key(kind: &FormKind) -> Option<DraftKey> {
    match kind {
        FormKind::MeetingAttendance(a, _) => Some(DraftKey::Attendance(a.agency_id)),
        FormKind::ActionNote { action, .. } => Some(DraftKey::ActionReview(action.id)),
        _ => None,
    }
}

/// Puts back what was typed in a small form before a crash (or before Esc).
fn restore_fields(form: &mut Form, d: &MeetingData) {
    let Some(key) = small_form_key(&form.kind) else { return };
    let Some(values) =
        d.drafts.iter().find(|(k, _)| *k == key).and_then(|(_, body)| serde_json::from_str::<Vec<String>>(body).ok())
    else {
        return;
    };
    for (field, v) in form.fields.iter_mut().zip(values) {
        match &mut field.value {
            FieldValue::Text(_) => field.value = FieldValue::Text(Input::new(v)),
            FieldValue::Choice { options, index } => *index = options.iter().position(|o| *o == v).unwrap_or(*index),
            FieldValue::Multi(t) => {
                let mut area = TextArea::new(v.lines().map(str::to_string).collect());
                area.set_wrap_mode(WrapMode::WordOrGlyph);
                area.set_cursor_line_style(Style::default());
                area.move_cursor(ratatui_textarea::CursorMove::Bottom);
                area.move_cursor(ratatui_textarea::CursorMove::End);
                **t = area;
            }
        }
    }
}

/// What the open deep item form would save as a draft: (meeting, key, body).
pub fn draft_of(m: &Model) -> Option<(Id, DraftKey, String)> {
    let f = m.form.as_ref()?;
    if let Some(key) = small_form_key(&f.kind) {
        let values: Vec<String> = f.fields.iter().map(Field::value).collect();
        let meeting_id = m.meeting.data.as_ref()?.meeting.id;
        return Some((meeting_id, key, serde_json::to_string(&values).ok()?));
    }
    let FormKind::MeetingItem { meeting_id, item_id, .. } = &f.kind else { return None };
    let body = serde_json::to_string(&deep_form(f)).ok()?;
    Some((*meeting_id, DraftKey::Item(*item_id), body))
}

/// After a key or paste in a meeting form: a change is saved as a draft at once, and a
/// record moves on to the next item still to discuss.
pub fn after_form_change(m: &mut Model, before: Option<(Id, DraftKey, String)>, effects: Vec<Effect>) -> Vec<Effect> {
    follow_rank_with_review(m, before.as_ref());
    let mut out = Vec::new();
    if let Some(after) = draft_of(m)
        && before.as_ref() != Some(&after)
    {
        if let Some(d) = &mut m.meeting.data {
            d.drafts.retain(|(k, _)| *k != after.1);
            d.drafts.push((after.1, after.2.clone()));
        }
        out.push(fx(MeetingEffect::Draft { meeting_id: after.0, key: after.1, body: after.2 }));
    }
    if m.form.is_none() && effects.is_empty() && before.is_some() {
        m.info("入力した内容は下書きとして保存されています。e で続きから入力できます");
    }
    let items = m.meeting.items();
    for e in effects {
        match e {
            Effect::Meeting(b) => match *b {
                MeetingEffect::Record { item_id, record, .. } => {
                    out.extend(save_elapsed(&m.meeting));
                    let next = conduct::next_pending(&items, Some(item_id));
                    out.push(fx(MeetingEffect::Record { item_id, record, next }));
                }
                other => out.push(fx(other)),
            },
            other => out.push(other),
        }
    }
    apply_locally(&mut m.meeting, &out);
    out
}

/// A changed rank moves the proposed next review with it, unless the date was edited by hand.
fn follow_rank_with_review(m: &mut Model, before: Option<&(Id, DraftKey, String)>) {
    let Some(old) = before.and_then(|b| serde_json::from_str::<DeepForm>(&b.2).ok()) else { return };
    let Some(f) = &m.form else { return };
    let FormKind::MeetingItem { item_id, case, .. } = &f.kind else { return };
    let new = deep_form(f);
    if new.rank == old.rank {
        return;
    }
    let Some(d) = &m.meeting.data else { return };
    let Some(iv) = d.items.iter().find(|i| i.item.id == *item_id) else { return };
    let on = item_date(d, &iv.item, m.today);
    let text = |rank: &str| conduct::proposed_next_review(&m.config, case, rank, on).format("%Y/%m/%d").to_string();
    if old.next_review.trim() != text(&old.rank) {
        return;
    }
    let proposed = text(&new.rank);
    if let Some(form) = &mut m.form
        && let Some(field) = form.fields.iter_mut().find(|fl| fl.key == FieldKey::NextReview)
    {
        field.value = FieldValue::Text(Input::new(proposed));
    }
}

/// Checks a meeting form and returns the effect that stores it (called by `Form::submit`).
pub fn submit_form(form: &Form, config: &crate::domain::Config) -> Result<Effect, String> {
    match &form.kind {
        FormKind::MeetingItem { item_id, case, .. } => {
            let rec = deep_form(form).check(config, case)?;
            Ok(fx(MeetingEffect::Record { item_id: *item_id, record: Box::new(rec), next: None }))
        }
        FormKind::MeetingAttendance(rec, _) => {
            let mut a = (**rec).clone();
            a.status = form
                .chosen(FieldKey::Attendance)
                .and_then(|i| AttendanceStatus::ALL.get(i).copied())
                .unwrap_or(a.status);
            a.person = form.get(FieldKey::Person).trim().to_string();
            a.info_received_on = match form.get(FieldKey::Received).trim() {
                "" => None,
                t => Some(wareki::parse_date(t).map_err(|e| format!("情報提供の受領日: {e}"))?),
            };
            if a.info_received_on.is_some() && a.status != AttendanceStatus::InfoSent {
                return Err("情報提供の受領日: 出欠が「欠席（情報提供あり）」のときだけ入力できます".into());
            }
            Ok(fx(MeetingEffect::Attend(a)))
        }
        FormKind::ActionNote { meeting_id, action, .. } => {
            let status = form
                .chosen(FieldKey::ActionStatus)
                .and_then(|i| REVIEW_STATUSES.get(i).copied())
                .unwrap_or(action.status);
            Ok(fx(MeetingEffect::Review {
                meeting_id: *meeting_id,
                action_id: action.id,
                status,
                note: form.get(FieldKey::Note).trim().to_string(),
            }))
        }
        _ => Err("この入力画面は会議進行のものではありません".into()),
    }
}

// ---- presentation ------------------------------------------------------------------------

/// A name as the screen shows it: initials (or the case number) in presentation mode, the
/// same rule as the masked minutes (`domain::mask`).
pub fn shown_name(present: bool, name: &str, kana: &str, number: &str) -> String {
    if present { crate::domain::mask::initials(kana).unwrap_or_else(|| number.to_string()) } else { name.to_string() }
}

/// The reply to a stored change whose result the screen reloads.
pub fn saved(message: impl Into<String>) -> Msg {
    Msg::MeetingSaved { message: message.into(), reload: true }
}

/// The reply to a stored change the screen's copy already shows (applied at the key).
pub fn noted(message: impl Into<String>) -> Msg {
    Msg::MeetingSaved { message: message.into(), reload: false }
}

#[cfg(test)]
mod tests;
