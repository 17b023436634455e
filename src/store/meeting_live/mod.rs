//! Running a meeting: the lease that keeps a second instance out, what is typed saved as it is
//! typed, recording attendance, reviews and items, and closing the meeting into the ledger in
//! one transaction through the audited case functions.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, params};

use super::lease_lock::Probe;
use super::{Cached, Result, Store, StoreError, Tx};
use crate::domain::meeting::live::{self, DecidedFields, DeepRecord, DraftKey, Move};
use crate::domain::{
    Action, ActionStatus, AgendaItem, Attendance, Config, Decision, Id, ItemState, Meeting, MeetingStatus,
};

/// A lease whose heartbeat is older than this is stale, even if a process with its pid runs.
pub const LEASE_STALE_SECS: i64 = 90;

/// Who runs a meeting right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub pid: u32,
    pub host: String,
    pub heartbeat: NaiveDateTime,
    /// When this holder took the meeting.
    pub since: NaiveDateTime,
}

/// What closing a meeting wrote into the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CloseSummary {
    /// Cases whose rank, 援助方針 or review dates were updated.
    pub updated: usize,
    /// Cases closed or transferred.
    pub closed: usize,
    /// Items still pending, deferred to the next meeting.
    pub deferred: usize,
    /// Decided fields the ledger changed meanwhile: kept as the ledger has them, not overwritten.
    pub conflicts: Vec<CloseConflict>,
}

/// A field a meeting decided that was changed in the ledger (another window, a command) after
/// the decision was recorded, to another value: closing kept the ledger's value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CloseConflict {
    pub case_number: String,
    /// The field's label (ランク, 援助方針, 次回確認日, 主担当機関).
    pub field: &'static str,
}

impl CloseConflict {
    /// The line the CLI and the TUI show (the case number and field, never the values).
    pub fn message(&self) -> String {
        format!(
            "ケース {}: {}は会議中に台帳で変更されていたため、会議の決定を反映していません（台帳で確認してください）",
            self.case_number, self.field
        )
    }
}

/// This machine's name: a pid (and a lease lock) only say something on the same machine.
pub fn this_host() -> String {
    crate::platform::host_name()
}

impl Lease {
    /// Whether the holder still runs: its heartbeat is fresh and, on this machine, it still
    /// holds the lease lock. A closed or killed window frees the lock at once, whatever its
    /// pid now names; a hung one stops beating and is taken over after [`LEASE_STALE_SECS`].
    /// From another machine only the heartbeat can tell.
    fn is_live(&self, now: NaiveDateTime, host: &str, lock: &Probe) -> bool {
        let fresh = (now - self.heartbeat).num_seconds() <= LEASE_STALE_SECS;
        fresh && (self.host != host || !matches!(lock, Probe::Taken(_)))
    }
}

fn host_label(lease: &Lease) -> String {
    if lease.host.is_empty() { "不明".into() } else { lease.host.clone() }
}

fn held_elsewhere(lease: &Lease) -> StoreError {
    StoreError::LeaseHeld {
        pid: lease.pid,
        host: host_label(lease),
        last_seen: lease.heartbeat.format("%Y-%m-%d %H:%M:%S").to_string(),
        stale_secs: LEASE_STALE_SECS,
    }
}

/// A change to the meeting refused because another live shinko runs it.
fn live_elsewhere(lease: &Lease) -> StoreError {
    StoreError::MeetingLive {
        pid: lease.pid,
        host: host_label(lease),
        since: lease.since.format("%Y-%m-%d %H:%M").to_string(),
        last_seen: lease.heartbeat.format("%Y-%m-%d %H:%M:%S").to_string(),
        stale_secs: LEASE_STALE_SECS,
    }
}

/// The live-meeting rule, decided here only: whether the lease `l` keeps out a caller that
/// holds the meeting's lease as `mine` (the pid it took the lease for; None if it holds none).
/// The holder may write; anyone else only once the holder is gone (see [`Lease::is_live`]).
/// `probe` looks at the lease lock and is asked only when the answer depends on it.
fn keeps_out(
    l: &Lease,
    mine: Option<u32>,
    host: &str,
    now: NaiveDateTime,
    probe: impl FnOnce() -> Result<Probe>,
) -> Result<bool> {
    if mine == Some(l.pid) && l.host == host {
        return Ok(false);
    }
    Ok(l.is_live(now, host, &probe()?))
}

fn not_running(m: &Meeting) -> StoreError {
    match m.status {
        MeetingStatus::Closed => StoreError::invalid("会議", format!("会議 {} は既に終了しています", m.id)),
        _ => StoreError::invalid("会議", format!("会議 {} はまだ開始していません（shinko record start）", m.id)),
    }
}

impl Tx<'_> {
    fn lease_of(&self, meeting_id: Id) -> Result<Option<Lease>> {
        read_lease(&self.tx, meeting_id)
    }

    /// Refuses, with [`StoreError::MeetingLive`], a change to the agenda or records of a meeting
    /// whose lease another live shinko holds. Read through this transaction, which holds the
    /// write lock: no lease can be taken between this check and the commit. Every writer of a
    /// meeting's agenda and records calls it, in the transaction that writes.
    pub(crate) fn ensure_meeting_writable(&self, meeting_id: Id) -> Result<()> {
        let Some(l) = self.lease_of(meeting_id)? else { return Ok(()) };
        let mine = self.lease_locks.pid_of(meeting_id);
        let probe = || {
            // A lock this probe takes is dropped at once: a one-shot write holds nothing.
            self.lease_locks.probe(self.db.as_deref(), meeting_id).map_err(StoreError::io("会議の占有ロック"))
        };
        if keeps_out(&l, mine, &this_host(), self.now, probe)? { Err(live_elsewhere(&l)) } else { Ok(()) }
    }

    /// The meeting, which must be running (and not run by another shinko) to record anything
    /// in it.
    fn running_meeting(&self, meeting_id: Id) -> Result<Meeting> {
        let m = self.meeting(meeting_id)?;
        if m.status != MeetingStatus::InProgress {
            return Err(not_running(&m));
        }
        self.ensure_meeting_writable(meeting_id)?;
        Ok(m)
    }

    fn clear_draft(&mut self, meeting_id: Id, key: DraftKey) -> Result<()> {
        self.tx.exec_cached(
            "DELETE FROM meeting_drafts WHERE meeting_id = ?1 AND key = ?2",
            params![meeting_id, key.code()],
        )?;
        Ok(())
    }
}

fn read_lease(conn: &rusqlite::Connection, meeting_id: Id) -> Result<Option<Lease>> {
    let time = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap_or_default();
    Ok(conn
        .query_row(
            "SELECT pid, host, heartbeat, coalesce(since, heartbeat) FROM meeting_leases WHERE meeting_id = ?1",
            [meeting_id],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)),
        )
        .optional()?
        .map(|(pid, host, hb, since)| Lease { pid: pid as u32, host, heartbeat: time(&hb), since: time(&since) }))
}

impl Store {
    pub fn lease(&self, meeting_id: Id) -> Result<Option<Lease>> {
        read_lease(&self.conn, meeting_id)
    }

    fn probe_lock(&self, meeting_id: Id) -> Result<Probe> {
        self.lease_locks.probe(self.db_path().as_deref(), meeting_id).map_err(StoreError::io("会議の占有ロック"))
    }

    /// Takes the meeting for process `pid`. Refused while another live process holds it; a
    /// lease whose holder is gone (its lock free on this machine, or silent for
    /// [`LEASE_STALE_SECS`] on another) is taken over and the pid it had is returned.
    pub fn acquire_lease(&mut self, meeting_id: Id, pid: u32) -> Result<Option<u32>> {
        let host = this_host();
        let now = self.now();
        let lock = self.probe_lock(meeting_id)?;
        let taken_over = self.write(|t| {
            t.meeting(meeting_id)?;
            let before = t.lease_of(meeting_id)?;
            let taken_over = match &before {
                Some(l) if l.pid == pid && l.host == host => None,
                Some(l) if l.is_live(now, &host, &lock) => return Err(held_elsewhere(l)),
                Some(l) => Some(l.pid),
                // Someone holds the lock but has not written its lease yet: it is starting.
                None if matches!(lock, Probe::HeldElsewhere) => return Err(StoreError::Busy),
                None => None,
            };
            let at = t.at().to_string();
            // The same holder opening again keeps the time it took the meeting.
            t.tx.exec_cached(
                "INSERT INTO meeting_leases(meeting_id, pid, host, heartbeat, since) VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT(meeting_id) DO UPDATE SET pid = excluded.pid, host = excluded.host,
                   heartbeat = excluded.heartbeat,
                   since = CASE WHEN meeting_leases.pid = excluded.pid AND meeting_leases.host = excluded.host
                                THEN coalesce(meeting_leases.since, excluded.since) ELSE excluded.since END",
                params![meeting_id, pid as i64, host, at],
            )?;
            let old = before.map(|l| l.pid.to_string());
            t.audit("meeting_lease", Some(meeting_id), "pid", old.as_deref(), Some(&pid.to_string()))?;
            Ok(taken_over)
        })?;
        self.lease_locks.keep(meeting_id, lock, pid);
        Ok(taken_over)
    }

    /// Keeps the lease fresh and stores the current item's timer. Fails if the lease was lost.
    pub fn heartbeat(&mut self, meeting_id: Id, pid: u32, elapsed: Option<(Id, i64)>) -> Result<()> {
        let host = this_host();
        let kept = self.write(|t| {
            let at = t.at().to_string();
            let n = t.tx.exec_cached(
                "UPDATE meeting_leases SET heartbeat = ?1 WHERE meeting_id = ?2 AND pid = ?3 AND host = ?4",
                params![at, meeting_id, pid as i64, host],
            )?;
            if n == 0 {
                return Ok(false);
            }
            if let Some((item, secs)) = elapsed {
                t.set_item_elapsed(item, secs)?;
            }
            Ok(true)
        })?;
        if !kept {
            self.lease_locks.release(meeting_id);
            return Err(StoreError::LeaseLost);
        }
        Ok(())
    }

    pub fn release_lease(&mut self, meeting_id: Id, pid: u32) -> Result<()> {
        self.write(|t| {
            let n = t.tx.exec_cached(
                "DELETE FROM meeting_leases WHERE meeting_id = ?1 AND pid = ?2",
                params![meeting_id, pid as i64],
            )?;
            if n > 0 {
                t.audit("meeting_lease", Some(meeting_id), "pid", Some(&pid.to_string()), None)?;
            }
            Ok(())
        })?;
        self.lease_locks.release(meeting_id);
        Ok(())
    }

    /// Refuses, with [`StoreError::LeaseHeld`], while a live process other than `pid` runs the
    /// meeting: a check before opening it. Writes do not rely on it; each checks the same rule
    /// again inside its own transaction ([`Tx::ensure_meeting_writable`]).
    pub fn ensure_not_held_elsewhere(&self, meeting_id: Id, pid: u32) -> Result<()> {
        let Some(l) = self.lease(meeting_id)? else { return Ok(()) };
        // The probe's lock, if it took one, is dropped at once: this check holds nothing.
        if keeps_out(&l, Some(pid), &this_host(), self.now(), || self.probe_lock(meeting_id))? {
            Err(held_elsewhere(&l))
        } else {
            Ok(())
        }
    }

    /// The meeting to open on the meeting screen: one in progress, else the next planned one.
    pub fn meeting_to_run(&self, today: NaiveDate) -> Result<Option<Id>> {
        let running: Option<Id> = self
            .conn
            .query_row("SELECT id FROM meetings WHERE status = 'in_progress' ORDER BY id DESC LIMIT 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        if running.is_some() {
            return Ok(running);
        }
        Ok(self
            .conn
            .query_row(
                "SELECT m.id FROM meetings m WHERE m.status = 'planned'
                 ORDER BY coalesce((SELECT min(date) FROM sessions s WHERE s.meeting_id = m.id) < ?1, 0),
                          (SELECT min(date) FROM sessions s WHERE s.meeting_id = m.id), m.id LIMIT 1",
                [today.to_string()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// 開会: a planned meeting starts (audited). Starting a running meeting changes nothing.
    pub fn start_meeting(&mut self, meeting_id: Id) -> Result<Meeting> {
        self.write(|t| {
            let mut m = t.meeting(meeting_id)?;
            match m.status {
                MeetingStatus::Closed => Err(not_running(&m)),
                MeetingStatus::InProgress => {
                    t.ensure_meeting_writable(meeting_id)?;
                    Ok(m)
                }
                MeetingStatus::Planned => {
                    m.status = MeetingStatus::InProgress;
                    t.save_meeting(&m)?;
                    Ok(m)
                }
            }
        })
    }

    /// Saves what is being typed (not audited: it is not a record until the item is recorded).
    pub fn save_draft(&mut self, meeting_id: Id, key: DraftKey, body: &str) -> Result<()> {
        self.write(|t| {
            let at = t.at().to_string();
            t.tx.exec_cached(
                "INSERT INTO meeting_drafts(meeting_id, key, body, saved_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(meeting_id, key) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
                params![meeting_id, key.code(), body, at],
            )?;
            Ok(())
        })
    }

    /// Removes a draft once what it held is stored.
    pub fn clear_draft(&mut self, meeting_id: Id, key: DraftKey) -> Result<()> {
        self.write(|t| t.clear_draft(meeting_id, key))
    }

    /// The meeting's drafts; a key this version does not know is left alone.
    pub fn drafts(&self, meeting_id: Id) -> Result<Vec<(DraftKey, String)>> {
        let mut st =
            self.conn.prepare_cached("SELECT key, body FROM meeting_drafts WHERE meeting_id = ?1 ORDER BY key")?;
        let rows = st.query_map([meeting_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (code, body) = row?;
            if let Some(key) = DraftKey::from_code(&code) {
                out.push((key, body));
            }
        }
        Ok(out)
    }

    /// The day an item is discussed ([`crate::domain::meeting::item_date`]).
    pub fn item_date(&self, item: &AgendaItem) -> Result<NaiveDate> {
        Ok(crate::domain::meeting::item_date(item, &self.sessions(item.meeting_id)?, self.today()))
    }

    pub fn record_attendance(&mut self, a: &Attendance) -> Result<()> {
        self.write(|t| {
            t.running_meeting(a.meeting_id)?;
            t.save_attendance(a)
        })
    }

    /// Marks an open action of an earlier meeting done / not possible / not done, with a note.
    /// Read and written in one transaction, so a change made meanwhile elsewhere is not undone.
    /// `done_on` is its 実施日 ([`Action::check_done_on`], checked here against `today` — the
    /// app's today, `--today`/SHINKO_TODAY — and the agreeing meeting's first day as read in
    /// the transaction).
    pub fn review_action(
        &mut self,
        meeting_id: Id,
        action_id: Id,
        status: ActionStatus,
        note: &str,
        done_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Action> {
        self.write(|t| {
            t.running_meeting(meeting_id)?;
            let mut a = t.read().action(action_id)?;
            if a.meeting_id == Some(meeting_id) {
                return Err(StoreError::invalid("役割分担", "この会議で決めた役割分担は次回の会議で確認します"));
            }
            let agreed_on = match a.meeting_id {
                Some(m) => t.read().sessions(m)?.iter().map(|s| s.date).min(),
                None => None,
            };
            Action::check_done_on(status, done_on, agreed_on, today)
                .map_err(|why| StoreError::invalid("実施日", why))?;
            a.review(status, note, done_on, meeting_id);
            t.save_action(&a)?;
            Ok(a)
        })
    }

    /// Moves the meeting screen to `item` (resume lands here after a crash).
    pub fn set_current(&mut self, meeting_id: Id, item: Option<Id>) -> Result<()> {
        self.write(|t| {
            t.ensure_meeting_writable(meeting_id)?;
            t.set_current_item(meeting_id, item)
        })
    }

    /// 事務局案どおり: records the quick item's decision and moves on to `next`.
    /// The decision is made ([`live::accept_as_proposed`]) from the item and case as read
    /// inside the write transaction, so it follows the ledger as it is, not as it was. A
    /// closing proposal without one of the configured 終結理由区分 is refused here
    /// ([`SecretariatDraft::check_closing`](crate::domain::meeting::SecretariatDraft::check_closing)).
    pub fn accept_item(&mut self, config: &Config, item_id: Id, next: Option<Id>) -> Result<Decision> {
        let today = self.today();
        self.write(|t| {
            let mut item = t.read().agenda_item(item_id)?;
            t.running_meeting(item.meeting_id)?;
            item.draft.check_closing(&config.closing.categories).map_err(|e| {
                StoreError::invalid("事務局案", format!("{e}。事務局案で選ぶか、協議結果として記録してください"))
            })?;
            let case = t.case(item.case_id)?;
            let on = crate::domain::meeting::item_date(&item, &t.read().sessions(item.meeting_id)?, today);
            let d = live::accept_as_proposed(item.meeting_id, &item, &case, config, on);
            item.state = ItemState::Done;
            t.save_decision(&d)?;
            t.save_agenda_item(&item)?;
            t.set_current_item(item.meeting_id, next)?;
            t.clear_draft(item.meeting_id, DraftKey::Item(item.id))?;
            Ok(d)
        })
    }

    /// Records a deep item: its decision and 役割分担 (replacing those recorded for it before),
    /// then moves on to `next`. The draft typed for it is removed in the same transaction.
    /// The item and case are read inside the write transaction.
    /// A 終結/移管 needs one of the configured 終結理由区分 (`categories`), checked here.
    pub fn record_item(
        &mut self,
        item_id: Id,
        rec: &DeepRecord,
        categories: &[String],
        next: Option<Id>,
    ) -> Result<Decision> {
        if rec.kind.ends_support() {
            crate::domain::config::check_closing_category(categories, &rec.category)
                .map_err(|e| StoreError::invalid("終結理由区分", e))?;
        }
        self.write(|t| {
            let mut item = t.read().agenda_item(item_id)?;
            let meeting_id = item.meeting_id;
            t.running_meeting(meeting_id)?;
            let case = t.case(item.case_id)?;
            item.state = ItemState::Done;
            let lead = rec.new_lead.as_deref().map(|n| t.agency_for(n, rec.new_agencies)).transpose()?;
            let d = live::decision_from_record(meeting_id, &item, &case, rec, lead);
            let old: Vec<Id> = {
                let mut st = t.tx.prepare_cached("SELECT id FROM actions WHERE meeting_id = ?1 AND case_id = ?2")?;
                st.query_map([meeting_id, case.id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
            };
            for id in old {
                t.delete_action(id)?;
            }
            for a in &rec.actions {
                let agency = t.agency_for(&a.agency, rec.new_agencies)?;
                t.save_action(&Action {
                    id: 0,
                    case_id: case.id,
                    meeting_id: Some(meeting_id),
                    agency_id: Some(agency),
                    owner: a.owner.clone(),
                    what: a.what.clone(),
                    due: a.due,
                    status: ActionStatus::Open,
                    review_note: String::new(),
                    reviewed_in: None,
                    done_on: None,
                })?;
            }
            t.save_decision(&d)?;
            t.save_agenda_item(&item)?;
            t.set_current_item(meeting_id, next)?;
            t.clear_draft(meeting_id, DraftKey::Item(item.id))?;
            Ok(d)
        })
    }

    /// Saves a changed item (moved to deep, deferred, revisited) and where the screen is.
    pub fn update_item(&mut self, item: &AgendaItem, current: Option<Id>) -> Result<()> {
        self.write(|t| {
            t.running_meeting(item.meeting_id)?;
            t.save_agenda_item(item)?;
            t.set_current_item(item.meeting_id, current)
        })
    }

    /// Applies a re-plan: the items move to their new sessions, at the end of them (the agenda
    /// as read inside the write transaction).
    pub fn move_items(&mut self, meeting_id: Id, moves: &[Move]) -> Result<usize> {
        self.write(|t| {
            t.running_meeting(meeting_id)?;
            let mut items = t.read().agenda(meeting_id)?;
            let mut n = 0;
            for m in moves {
                let last = items.iter().filter(|i| i.session_id == Some(m.to_session)).map(|i| i.position).max();
                if let Some(i) = items.iter_mut().find(|i| i.id == m.item_id) {
                    i.session_id = Some(m.to_session);
                    i.position = m.position.unwrap_or(last.unwrap_or(0) + 1);
                    t.save_agenda_item(i)?;
                    n += 1;
                }
            }
            Ok(n)
        })
    }

    /// 閉会: writes every recorded decision into the ledger (rank, 援助方針, review dates, lead,
    /// closings with reason and this meeting), defers what was not discussed and closes the
    /// meeting — all in one transaction, through the audited case functions. Each decision
    /// changes only the fields it changed relative to what it saw when it was recorded; a field
    /// the ledger changed meanwhile to another value is kept and listed in
    /// [`CloseSummary::conflicts`] ([`live::apply_decision_since`]).
    pub fn close_meeting(&mut self, meeting_id: Id) -> Result<CloseSummary> {
        let today = self.today();
        let sum = self.write(|t| {
            let mut m = t.running_meeting(meeting_id)?;
            // Read inside the transaction: what another window recorded up to now is applied.
            let (items, decisions, sessions) = {
                let r = t.read();
                (r.agenda(meeting_id)?, r.decisions(meeting_id)?, r.sessions(meeting_id)?)
            };
            let seen = t.decisions_seen(meeting_id)?;
            let dated: Vec<(AgendaItem, NaiveDate)> = items
                .into_iter()
                .map(|i| {
                    let on = crate::domain::meeting::item_date(&i, &sessions, today);
                    (i, on)
                })
                .collect();
            // Each item's decision found by its case, not searched for among all of them.
            let mut decision_of: std::collections::HashMap<Id, &Decision> = std::collections::HashMap::new();
            for d in &decisions {
                decision_of.entry(d.case_id).or_insert(d);
            }
            let mut sum = CloseSummary::default();
            for (item, on) in &dated {
                match item.state {
                    ItemState::Done => {
                        let Some(&d) = decision_of.get(&item.case_id) else { continue };
                        let case = t.case(item.case_id)?;
                        if !case.is_open() {
                            return Err(StoreError::invalid(
                                "ケース",
                                format!(
                                    "ケース {} は会議中に台帳で{}されたため反映できません",
                                    case.number,
                                    case.status.label()
                                ),
                            ));
                        }
                        // A decision recorded before what it saw was kept: as it is now.
                        let saw = seen.get(&case.id).cloned().unwrap_or_else(|| DecidedFields::of(&case));
                        let (after, closing, conflicts) = live::apply_decision_since(&case, &saw, d, *on);
                        t.save_case(&after)?;
                        sum.updated += 1;
                        sum.conflicts.extend(
                            conflicts
                                .into_iter()
                                .map(|field| CloseConflict { case_number: case.number.clone(), field }),
                        );
                        if let Some((status, reason)) = closing {
                            // The category was checked when the decision was recorded.
                            t.close_unchecked(case.id, status, *on, &reason, &d.category, Some(meeting_id))?;
                            sum.closed += 1;
                        }
                    }
                    ItemState::Pending => {
                        let mut i = item.clone();
                        i.defer();
                        t.save_agenda_item(&i)?;
                        sum.deferred += 1;
                    }
                    ItemState::Deferred => sum.deferred += 1,
                }
            }
            m.status = MeetingStatus::Closed;
            m.current_item = None;
            t.save_meeting(&m)?;
            t.tx.exec_cached("DELETE FROM meeting_drafts WHERE meeting_id = ?1", [meeting_id])?;
            t.tx.exec_cached("DELETE FROM meeting_leases WHERE meeting_id = ?1", [meeting_id])?;
            Ok(sum)
        })?;
        // A closed meeting never runs again: its lock file goes with it.
        let db = self.db_path();
        self.lease_locks.forget(db.as_deref(), meeting_id);
        Ok(sum)
    }
}

#[cfg(test)]
pub(crate) mod tests;
