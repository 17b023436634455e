//! The meeting screen's pure update: keys, ticks, loads and answers in; effects out.

use chrono::{NaiveDate, NaiveDateTime};
use ratatui::crossterm::event::KeyEvent;

use super::*;
use crate::tui::form::FormReply;

/// Entering the screen loads the meeting (once; later the data is kept fresh by reloads).
pub fn enter(s: &mut MeetingState, cx: &Ctx<'_>) -> Vec<MeetingEffect> {
    if s.data.is_some() || s.loading {
        return vec![];
    }
    s.loading = true;
    vec![MeetingEffect::Load { id: None, today: cx.today, take_lease: true }]
}

impl MeetingState {
    /// The key mode in effect on this screen.
    pub fn mode(&self) -> Mode {
        if let Some(r) = &self.record {
            return r.mode();
        }
        self.form.as_ref().map(|f| f.form.mode()).unwrap_or(Mode::Meeting)
    }

    /// Reads the meeting again: after a save, and after a refused effect (what the store holds
    /// replaces the screen's optimistic copy).
    fn reload(&self, cx: &Ctx<'_>) -> Vec<MeetingEffect> {
        let id = self.data.as_ref().map(|d| d.meeting.id);
        vec![MeetingEffect::Load { id, today: cx.today, take_lease: false }]
    }

    /// What to read again after another writer's commit.
    pub fn refresh(&self, cx: &Ctx<'_>) -> Vec<MeetingEffect> {
        if self.data.is_some() && !self.loading { self.reload(cx) } else { vec![] }
    }

    /// Whether the meeting is running in this window (it holds the lease).
    pub fn is_running(&self) -> bool {
        self.running()
    }
}

/// The meeting screen's pure update.
pub fn update(s: &mut MeetingState, cx: &Ctx<'_>, out: &mut Out, msg: MeetingMsg) -> Vec<MeetingEffect> {
    match msg {
        MeetingMsg::Key(action, k) => on_key(s, cx, out, action, k),
        MeetingMsg::Paste(text) => {
            if let Some(r) = &mut s.record {
                r.paste(&text);
                return vec![];
            }
            let Some(f) = &mut s.form else { return vec![] };
            let before = s.data.as_ref().and_then(|d| f.draft(d.meeting.id));
            f.form.paste(&text);
            after_form_change(s, cx, out, before, vec![])
        }
        MeetingMsg::Tick(now) => on_tick(s, cx, now),
        MeetingMsg::Loaded(data) => on_loaded(s, cx, out, data.map(|d| *d)),
        MeetingMsg::Saved { message, reload } => {
            s.form = None;
            s.record = None;
            out.info(message);
            if reload { s.reload(cx) } else { vec![] }
        }
        MeetingMsg::AskAgain(question) => {
            match &mut s.form {
                Some(f) => f.form.ask_again(question),
                None => out.error(question),
            }
            // The record was shown as done at the key; what is stored says otherwise.
            s.reload(cx)
        }
        MeetingMsg::Failed(text) => {
            match (&mut s.form, &mut s.record) {
                (Some(f), _) => f.form.refuse(text),
                (None, Some(r)) => r.refuse(text),
                (None, None) => out.error(text),
            }
            // The screen shows a change before the store confirms it (fast typing acts on the
            // new state); when the store refused, it reads back what is really stored.
            if s.data.is_some() { s.reload(cx) } else { vec![] }
        }
    }
}

fn on_loaded(s: &mut MeetingState, cx: &Ctx<'_>, out: &mut Out, data: Option<MeetingData>) -> Vec<MeetingEffect> {
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
    if first {
        s.phase = if data.meeting.current_item.is_some() { Phase::Agenda } else { Phase::Attendance };
    }
    if let Some(msg) = &data.read_only {
        out.error(msg.clone());
    }
    let resume = first && data.read_only.is_none() && data.meeting.status == MeetingStatus::InProgress;
    s.data = Some(data);
    s.row = s.row.min(row_count(s).saturating_sub(1));
    // After a crash, the form that was open comes back with what was typed.
    if resume && s.phase == Phase::Agenda && s.form.is_none() {
        let focus = s.current().and_then(|iv| {
            let key = DraftKey::Item(iv.item.id);
            let d = s.data.as_ref()?;
            d.drafts.iter().find(|(k, _)| *k == key).and_then(|(_, body)| forms::draft_focus(body))
        });
        if let Some(focus) = focus {
            open_item_form(s, cx);
            if let Some(f) = &mut s.form
                && f.form.fields.get(focus).is_some_and(|fl| !fl.idle)
            {
                f.form.focus = focus;
            }
            out.info("前回入力中だった内容を復元しました");
        }
    }
    vec![]
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
fn on_tick(s: &mut MeetingState, cx: &Ctx<'_>, now: NaiveDateTime) -> Vec<MeetingEffect> {
    let delta = s.last_tick.map(|t| (now - t).num_seconds().clamp(0, 5)).unwrap_or(0);
    s.last_tick = Some(now);
    s.now = Some(now);
    s.idle_secs += delta;
    let limit = i64::from(cx.config.confidentiality.idle_lock_minutes) * 60;
    if limit > 0 && s.idle_secs >= limit {
        s.locked = true;
    }
    if !s.running() {
        return vec![];
    }
    let timing = s.phase == Phase::Agenda && !s.locked;
    let mut elapsed = None;
    if timing
        && let Some(i) = s.current_index()
        && let Some(d) = s.data.as_mut()
    {
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
    vec![MeetingEffect::Heartbeat { meeting_id, elapsed }]
}

/// A key while the screen is locked only unlocks it. Every key resets the idle time.
pub fn unlock_on_key(s: &mut MeetingState) -> bool {
    s.idle_secs = 0;
    std::mem::take(&mut s.locked)
}

/// Said at the first quit while this window runs the meeting.
pub const QUIT_WHILE_RUNNING: &str =
    "会議の進行中です。もう一度押すと終了します（次に開くと会議進行の画面から続けられます）";

/// Saves the timer of the item on screen before moving off it.
fn save_elapsed(s: &MeetingState) -> Vec<MeetingEffect> {
    s.current()
        .map(|iv| MeetingEffect::Elapsed { item_id: iv.item.id, secs: iv.item.elapsed_secs })
        .into_iter()
        .collect()
}

fn on_key(
    s: &mut MeetingState,
    cx: &Ctx<'_>,
    out: &mut Out,
    action: Option<Command>,
    k: KeyEvent,
) -> Vec<MeetingEffect> {
    if s.form.is_some() {
        return on_form_key(s, cx, out, action, k);
    }
    if s.record.is_some() || action == Some(Command::AddContact) {
        return on_contact_key(s, cx, out, action, k);
    }
    let effects = on_screen_key(s, cx, out, action);
    apply_locally(s, &effects);
    effects
}

/// 経過記録 on the item being discussed: `c` opens the contact form on its case (the same form
/// and store function as the ledger's), keys then go to the form.
fn on_contact_key(
    s: &mut MeetingState,
    cx: &Ctx<'_>,
    out: &mut Out,
    action: Option<Command>,
    k: KeyEvent,
) -> Vec<MeetingEffect> {
    use crate::tui::ledger::record_form::{RecordSave, on_record_key};
    use crate::tui::ledger::{ContactForm, RecordForm};
    if s.record.is_some() {
        return match on_record_key(&mut s.record, action, k, cx.today, out) {
            Some(RecordSave::Contact { contact, number }) => {
                vec![MeetingEffect::AddContact { contact, number, today: cx.today }]
            }
            // The meeting screen opens no birth form.
            Some(RecordSave::Birth { .. }) | None => vec![],
        };
    }
    if cx.present {
        out.error(crate::tui::screen::NOT_WHILE_PRESENTING);
        return vec![];
    }
    match s.current() {
        Some(iv) if iv.case.is_open() => {
            let lead = crate::tui::screen::agency_name(cx.agencies, iv.case.lead_agency).to_string();
            let form = ContactForm::new(iv.case.id, &iv.case.number, &lead, cx.agencies, cx.today);
            s.record = Some(RecordForm::Contact(form));
        }
        Some(iv) => out.error(format!("ケース {} は{}しています", iv.case.number, iv.case.status.label())),
        None => out.error("経過記録を付けるケースを議事次第で選んでください"),
    }
    vec![]
}

/// Applies a change to the screen's copy at once, so keys that arrive before the store's
/// answer (fast typing, key repeat) act on the new state rather than the old one.
fn apply_locally(s: &mut MeetingState, effects: &[MeetingEffect]) {
    let Some(d) = &mut s.data else { return };
    let meeting_id = d.meeting.id;
    for e in effects {
        match e {
            MeetingEffect::Attend(a) => {
                if let Some(r) = d.attendance.iter_mut().find(|r| r.agency.id == a.agency_id) {
                    r.record = Some(a.clone());
                }
                let key = DraftKey::Attendance(a.agency_id);
                d.drafts.retain(|(k, _)| *k != key);
            }
            MeetingEffect::Review { action_id, status, note, done_on, .. } => {
                if let Some(r) = d.reviews.iter_mut().find(|r| r.action.id == *action_id) {
                    r.action.review(*status, note, *done_on, meeting_id);
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

fn on_screen_key(s: &mut MeetingState, cx: &Ctx<'_>, out: &mut Out, action: Option<Command>) -> Vec<MeetingEffect> {
    let Some(action) = action else { return vec![] };
    let armed = s.confirm.take();
    let close = armed == Some(Confirmable::CloseMeeting);
    let replan = armed == Some(Confirmable::Replan);
    match action {
        Command::Quit if s.running() && armed != Some(Confirmable::Quit) => {
            s.confirm.arm(Confirmable::Quit);
            out.error(QUIT_WHILE_RUNNING);
            return vec![];
        }
        Command::Quit => {
            out.quit();
            let mut effects = save_elapsed(s);
            if s.running() {
                let meeting_id = s.data.as_ref().map(|d| d.meeting.id).unwrap_or_default();
                effects.push(MeetingEffect::Release { meeting_id });
            }
            return effects;
        }
        _ => {}
    }
    let Some(d) = &s.data else {
        if !s.loading {
            out.error("開催予定の会議がありません。会議準備の画面で会議を作成してください");
        }
        return vec![];
    };
    if let Some(msg) = &d.read_only {
        out.error(msg.clone());
        return vec![];
    }
    match d.meeting.status {
        MeetingStatus::Closed => {
            out.error("この会議は終了しています");
            return vec![];
        }
        MeetingStatus::Planned => {
            if action == Command::MeetingAccept {
                return vec![MeetingEffect::Start { id: d.meeting.id }];
            }
            out.error("Enter で会議を開始してください");
            return vec![];
        }
        MeetingStatus::InProgress => {}
    }
    match action {
        Command::MeetingNextPhase | Command::MeetingPrevPhase => {
            let to = if action == Command::MeetingNextPhase { s.phase.next() } else { s.phase.prev() };
            if to != s.phase {
                s.phase = to;
                s.row = 0;
            }
            if to == Phase::Agenda && s.current().is_none() {
                let next = live::next_pending(&s.items(), None);
                if let Some(d) = &mut s.data {
                    d.meeting.current_item = next;
                }
                let meeting_id = s.data.as_ref().map(|d| d.meeting.id).unwrap_or_default();
                return vec![MeetingEffect::SetCurrent { meeting_id, item: next }];
            }
            vec![]
        }
        Command::MeetingClose if close => {
            let meeting_id = d.meeting.id;
            let mut effects = save_elapsed(s);
            effects.push(MeetingEffect::Close { meeting_id });
            effects
        }
        Command::MeetingClose => {
            let d = s.data.as_ref();
            let decisions: Vec<&crate::domain::Decision> =
                d.map(|d| d.items.iter().filter_map(|i| i.decision.as_ref()).collect()).unwrap_or_default();
            let actions = d.map(|d| d.items.iter().map(|i| i.actions.len()).sum()).unwrap_or(0);
            let pending = s.items().iter().filter(|i| i.state == ItemState::Pending).count();
            let preview = live::ClosePreview::of(&decisions, actions, pending);
            s.confirm.arm(Confirmable::CloseMeeting);
            out.error(format!("もう一度 F12 で確定: 会議を終了して台帳に反映します（{}）", preview.describe()));
            vec![]
        }
        _ => match s.phase {
            Phase::Attendance => on_attendance_key(s, action),
            Phase::ActionReview => on_review_key(s, action, cx.today),
            Phase::Agenda => on_agenda_key(s, cx, out, action, replan),
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

fn on_attendance_key(s: &mut MeetingState, action: Command) -> Vec<MeetingEffect> {
    if move_row(s, action) {
        return vec![];
    }
    let Some(d) = &s.data else { return vec![] };
    let Some(row) = d.attendance.get(s.row) else { return vec![] };
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
                a => live::cycle_attendance(row.record.as_ref().map(|r| r.status), a == Command::NextValue),
            };
            if rec.status != AttendanceStatus::InfoSent {
                rec.info_received_on = None;
            }
            if action == Command::MeetingAccept {
                s.row = (s.row + 1).min(d.attendance.len().saturating_sub(1));
            }
            vec![MeetingEffect::Attend(rec)]
        }
        Command::MeetingEdit => {
            let form = MeetingForm::attendance(rec, row.agency.name.clone(), d);
            s.form = Some(form);
            vec![]
        }
        _ => vec![],
    }
}

fn on_review_key(s: &mut MeetingState, action: Command, today: NaiveDate) -> Vec<MeetingEffect> {
    if move_row(s, action) {
        return vec![];
    }
    let Some(d) = &s.data else { return vec![] };
    let Some(row) = d.reviews.get(s.row) else { return vec![] };
    let meeting_id = d.meeting.id;
    let a = &row.action;
    match action {
        Command::PrevValue | Command::NextValue => {
            let status = live::cycle_action_status(a.status, action == Command::NextValue);
            let done_on = a.done_on.filter(|_| status == ActionStatus::Done);
            vec![MeetingEffect::Review {
                meeting_id,
                action_id: a.id,
                status,
                note: a.review_note.clone(),
                done_on,
                today,
            }]
        }
        Command::MeetingAccept => {
            let n = d.reviews.len();
            let e = MeetingEffect::Review {
                meeting_id,
                action_id: a.id,
                status: ActionStatus::Done,
                note: a.review_note.clone(),
                done_on: a.done_on,
                today,
            };
            s.row = (s.row + 1).min(n.saturating_sub(1));
            vec![e]
        }
        Command::MeetingEdit => {
            let form = MeetingForm::action_note(meeting_id, a.clone(), &row.case_number, d);
            s.form = Some(form);
            vec![]
        }
        _ => vec![],
    }
}

fn on_agenda_key(
    s: &mut MeetingState,
    cx: &Ctx<'_>,
    out: &mut Out,
    action: Command,
    replan_confirmed: bool,
) -> Vec<MeetingEffect> {
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
            let mut effects = save_elapsed(s);
            let id = items[to].id;
            if let Some(d) = &mut s.data {
                d.meeting.current_item = Some(id);
            }
            effects.push(MeetingEffect::SetCurrent { meeting_id, item: Some(id) });
            effects
        }
        Command::MeetingAccept => {
            let Some(iv) = s.current() else { return vec![] };
            // A 終結案 without a configured 終結理由区分 is not accepted as proposed (the store
            // refuses it too): its form opens, as closing, to choose one.
            let quick = iv.item.track == Track::Quick && iv.item.state == ItemState::Pending;
            if quick && let Err(why) = iv.item.draft.check_closing(&cx.config.closing.categories) {
                out.error(format!("{why}。協議結果のフォームで選んで記録してください"));
                open_item_form(s, cx);
                return vec![];
            }
            if quick {
                let on = item_date(d, &iv.item, cx.today);
                let decision = live::accept_as_proposed(meeting_id, &iv.item, &iv.case, cx.config, on);
                let next = live::walk_on(&items, iv.item.id);
                let mut effects = save_elapsed(s);
                let config = Box::new(cx.config.clone());
                effects.push(MeetingEffect::Accept { item_id: iv.item.id, preview: Box::new(decision), next, config });
                return effects;
            }
            open_item_form(s, cx);
            vec![]
        }
        Command::MeetingEdit => {
            open_item_form(s, cx);
            vec![]
        }
        Command::MeetingToDeep | Command::MeetingDefer | Command::MeetingRevisit => {
            let Some(iv) = s.current() else { return vec![] };
            let mut item = iv.item.clone();
            let number = iv.case.number.clone();
            let (current, message) = match action {
                Command::MeetingToDeep => {
                    if item.track == Track::Deep {
                        out.error(format!("ケース {number} は既に重点協議です"));
                        return vec![];
                    }
                    item.move_to_deep();
                    (Some(item.id), format!("ケース {number} を重点協議に移しました"))
                }
                Command::MeetingDefer => {
                    item.defer();
                    (live::walk_on(&items, item.id), format!("ケース {number} を次回へ延期しました"))
                }
                _ => {
                    item.revisit();
                    (Some(item.id), format!("ケース {number} を再協議にしました"))
                }
            };
            let mut effects = save_elapsed(s);
            effects.push(MeetingEffect::UpdateItem { item: Box::new(item), current, message });
            effects
        }
        Command::MeetingReplan => {
            let Some(session) = s.session() else { return vec![] };
            let now = session.clock_time(s.now);
            // By item id: replanning asks for the urgency of items as it orders them.
            let urgency_of: std::collections::HashMap<Id, i64> = d
                .items
                .iter()
                .map(|iv| {
                    let scheme = cx.config.rank_scheme(iv.case.registration);
                    let severity =
                        scheme.ranks().len() - scheme.severity_index(&iv.case.rank).min(scheme.ranks().len());
                    (iv.item.id, (severity * 10 + iv.item.reasons.len()) as i64)
                })
                .collect();
            let urgency = |i: &AgendaItem| urgency_of.get(&i.id).copied().unwrap_or(0);
            let cur = d.meeting.current_item;
            let moves = live::replan(&items, &d.sessions, session.id, cur, &cx.config.budget, now, urgency);
            if moves.is_empty() {
                out.info("再計画の必要はありません（または移せる重点協議がありません）");
                return vec![];
            }
            if !replan_confirmed {
                // Say what would move before moving it: a stray F6 must not empty a session.
                let number_of: std::collections::HashMap<Id, &str> =
                    d.items.iter().map(|i| (i.item.id, i.case.number.as_str())).collect();
                let numbers: Vec<&str> = moves.iter().filter_map(|mv| number_of.get(&mv.item_id).copied()).collect();
                s.confirm.arm(Confirmable::Replan);
                out.error(format!(
                    "もう一度 F6 で確定: 重点協議 {} 件を次の日程へ移します（{}）",
                    moves.len(),
                    numbers.join("、")
                ));
                return vec![];
            }
            s.undo = Some(live::moves_back(&items, &moves));
            vec![MeetingEffect::Replan { meeting_id, moves, undo: false }]
        }
        Command::MeetingUndo => match s.undo.take() {
            Some(moves) => vec![MeetingEffect::Replan { meeting_id, moves, undo: true }],
            None => {
                out.info("元に戻せる再計画はありません");
                vec![]
            }
        },
        _ => vec![],
    }
}

// ---- forms -------------------------------------------------------------------------------

/// The deep item form for the current item: the draft typed before, else the recorded
/// decision, else the 事務局案.
fn open_item_form(s: &mut MeetingState, cx: &Ctx<'_>) {
    let (Some(d), Some(iv)) = (&s.data, s.current()) else { return };
    let key = DraftKey::Item(iv.item.id);
    let on = item_date(d, &iv.item, cx.today);
    let df = d
        .drafts
        .iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, body)| serde_json::from_str::<DeepForm>(body).ok())
        .or_else(|| iv.decision.as_ref().map(|dec| DeepForm::from_decision(dec, &iv.actions, iv.new_lead.clone())))
        .unwrap_or_else(|| DeepForm::from_item(&iv.item, &iv.case, cx.config, on));
    let form = MeetingForm::item(d.meeting.id, iv.item.id, &iv.case, &df, cx);
    s.form = Some(form);
}

/// A key in an open form: the form widget handles it; a change is saved as a draft at once,
/// and a record moves on to the next item still to discuss.
fn on_form_key(
    s: &mut MeetingState,
    cx: &Ctx<'_>,
    out: &mut Out,
    action: Option<Command>,
    k: KeyEvent,
) -> Vec<MeetingEffect> {
    let near = form_day(s, cx);
    let Some(f) = &mut s.form else { return vec![] };
    let before = s.data.as_ref().and_then(|d| f.draft(d.meeting.id));
    let effects = match f.form.on_key(action, k) {
        FormReply::Chose(MeetingField::Decision) => {
            follow_decision_with_review(s, cx);
            vec![]
        }
        FormReply::Chose(MeetingField::ActionStatus) => {
            f.follow_action_status();
            vec![]
        }
        FormReply::Stay | FormReply::Chose(_) => vec![],
        FormReply::Cancel => {
            // A deep form's draft stays, marked closed: a restart does not reopen it.
            let closed = f.closed_draft();
            s.form = None;
            out.info("入力を取り消しました");
            if let (Some((meeting_id, key, body)), Some(d)) = (closed, &mut s.data)
                && let Some(kept) = d.drafts.iter_mut().find(|(k, _)| *k == key)
            {
                kept.1 = body.clone();
                out.info("入力した内容は下書きとして保存されています。e で続きから入力できます");
                return vec![MeetingEffect::Draft { meeting_id, key, body }];
            }
            vec![]
        }
        FormReply::Submit { again } => match f.submit(cx.config, near, again) {
            Ok(effect) => vec![effect],
            Err(e) => {
                f.form.refuse(e);
                vec![]
            }
        },
    };
    after_form_change(s, cx, out, before, effects)
}

fn after_form_change(
    s: &mut MeetingState,
    cx: &Ctx<'_>,
    out: &mut Out,
    before: Option<(Id, DraftKey, String)>,
    effects: Vec<MeetingEffect>,
) -> Vec<MeetingEffect> {
    follow_rank_with_review(s, cx, before.as_ref());
    let mut all = Vec::new();
    let meeting_id = s.data.as_ref().map(|d| d.meeting.id);
    if let Some(after) = s.form.as_ref().zip(meeting_id).and_then(|(f, id)| f.draft(id))
        && before.as_ref().is_none_or(|b| b.1 != after.1 || !forms::same_content(&b.2, &after.2))
    {
        if let Some(d) = &mut s.data {
            d.drafts.retain(|(k, _)| *k != after.1);
            d.drafts.push((after.1, after.2.clone()));
        }
        all.push(MeetingEffect::Draft { meeting_id: after.0, key: after.1, body: after.2 });
    }
    if s.form.is_none() && effects.is_empty() && before.is_some() {
        out.info("入力した内容は下書きとして保存されています。e で続きから入力できます");
    }
    let items = s.items();
    for e in effects {
        match e {
            MeetingEffect::Record { item_id, record, categories, .. } => {
                all.extend(save_elapsed(s));
                let next = live::walk_on(&items, item_id);
                all.push(MeetingEffect::Record { item_id, record, next, categories });
            }
            other => all.push(other),
        }
    }
    apply_locally(s, &all);
    all
}

/// The day a form's dates are read near: the item's day for a deep item, else today.
fn form_day(s: &MeetingState, cx: &Ctx<'_>) -> NaiveDate {
    let item = s.form.as_ref().and_then(|f| match &f.kind {
        MeetingFormKind::Item { item_id, .. } => Some(*item_id),
        _ => None,
    });
    match (s.data.as_ref(), item) {
        (Some(d), Some(id)) => d.items.iter().find(|i| i.item.id == id).map(|iv| item_date(d, &iv.item, cx.today)),
        _ => None,
    }
    .unwrap_or(cx.today)
}

/// A decision turned to a continuing one gets the rank's next review when it has none.
fn follow_decision_with_review(s: &mut MeetingState, cx: &Ctx<'_>) {
    if let Some(f) = &mut s.form {
        f.follow_decision();
    }
    let (Some(d), Some(f)) = (&s.data, &s.form) else { return };
    let MeetingFormKind::Item { item_id, case, .. } = &f.kind else { return };
    let Some(iv) = d.items.iter().find(|i| i.item.id == *item_id) else { return };
    let mut deep = f.deep();
    deep.propose_review_when_continuing(cx.config, case, item_date(d, &iv.item, cx.today));
    if let Some(f) = &mut s.form {
        f.form.set_text(MeetingField::NextReview, &deep.next_review);
    }
}

/// A changed rank moves the proposed next review with it, unless the date was edited by hand.
fn follow_rank_with_review(s: &mut MeetingState, cx: &Ctx<'_>, before: Option<&(Id, DraftKey, String)>) {
    let Some(old) = before.and_then(|b| serde_json::from_str::<DeepForm>(&b.2).ok()) else { return };
    let Some(f) = &s.form else { return };
    let MeetingFormKind::Item { item_id, case, .. } = &f.kind else { return };
    let new = f.deep();
    if new.rank == old.rank {
        return;
    }
    let Some(d) = &s.data else { return };
    let Some(iv) = d.items.iter().find(|i| i.item.id == *item_id) else { return };
    let on = item_date(d, &iv.item, cx.today);
    let text = |rank: &str| live::proposed_next_review(cx.config, case, rank, on).format("%Y/%m/%d").to_string();
    if old.next_review.trim() != text(&old.rank) {
        return;
    }
    let proposed = text(&new.rank);
    if let Some(f) = &mut s.form {
        f.form.set_text(MeetingField::NextReview, &proposed);
    }
}
