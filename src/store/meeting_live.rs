//! Running a meeting: the lease that keeps a second instance out, what is typed saved as it is
//! typed, recording attendance, reviews and items, and closing the meeting into the ledger in
//! one transaction through the audited case functions.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, params};

use super::lease_lock::Probe;
use super::{Result, Store, StoreError, Tx};
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
        self.tx.execute(
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
            t.tx.execute(
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
            let n = t.tx.execute(
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
            let n = t.tx.execute(
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
            t.tx.execute(
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
    pub fn review_action(&mut self, meeting_id: Id, action_id: Id, status: ActionStatus, note: &str) -> Result<Action> {
        self.write(|t| {
            t.running_meeting(meeting_id)?;
            let mut a = t.read().action(action_id)?;
            if a.meeting_id == Some(meeting_id) {
                return Err(StoreError::invalid("役割分担", "この会議で決めた役割分担は次回の会議で確認します"));
            }
            a.status = status;
            a.review_note = note.trim().to_string();
            a.reviewed_in = if status == ActionStatus::Open { None } else { Some(meeting_id) };
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
    /// inside the write transaction, so it follows the ledger as it is, not as it was.
    pub fn accept_item(&mut self, config: &Config, item_id: Id, next: Option<Id>) -> Result<Decision> {
        let today = self.today();
        self.write(|t| {
            let mut item = t.read().agenda_item(item_id)?;
            t.running_meeting(item.meeting_id)?;
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
    pub fn record_item(&mut self, item_id: Id, rec: &DeepRecord, next: Option<Id>) -> Result<Decision> {
        self.write(|t| {
            let mut item = t.read().agenda_item(item_id)?;
            let meeting_id = item.meeting_id;
            t.running_meeting(meeting_id)?;
            let case = t.case(item.case_id)?;
            item.state = ItemState::Done;
            let lead = rec.new_lead.as_deref().map(|n| t.agency_for(n, rec.new_agencies)).transpose()?;
            let d = live::decision_from_record(meeting_id, &item, &case, rec, lead);
            let old: Vec<Id> = {
                let mut st = t.tx.prepare("SELECT id FROM actions WHERE meeting_id = ?1 AND case_id = ?2")?;
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
                    i.position = last.unwrap_or(0) + 1;
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
            let mut sum = CloseSummary::default();
            for (item, on) in &dated {
                match item.state {
                    ItemState::Done => {
                        let Some(d) = decisions.iter().find(|d| d.case_id == item.case_id) else { continue };
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
                            t.close_case(case.id, status, *on, &reason, Some(meeting_id))?;
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
            t.tx.execute("DELETE FROM meeting_drafts WHERE meeting_id = ?1", [meeting_id])?;
            t.tx.execute("DELETE FROM meeting_leases WHERE meeting_id = ?1", [meeting_id])?;
            Ok(sum)
        })?;
        // A closed meeting never runs again: its lock file goes with it.
        let db = self.db_path();
        self.lease_locks.forget(db.as_deref(), meeting_id);
        Ok(sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{self, Scale};
    use crate::domain::meeting::live::DeepForm;
    use crate::domain::{CaseStatus, DecisionKind, Track};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    /// The demo municipality with its next meeting (its agenda built by the demo) started.
    pub(crate) fn running_demo() -> (Store, Id, Vec<AgendaItem>) {
        let mut s = Store::open_in_memory().unwrap();
        let sum = demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
        let m = sum.next_meeting;
        s.start_meeting(m).unwrap();
        let items = s.agenda(m).unwrap();
        (s, m, items)
    }

    #[test]
    fn a_second_process_is_refused_and_a_dead_ones_lease_is_taken_over() {
        let (mut s, m, _) = running_demo();
        let me = std::process::id();
        assert_eq!(s.acquire_lease(m, me).unwrap(), None);
        assert_eq!(s.acquire_lease(m, me).unwrap(), None, "the holder may open again");
        // Another live process (pid 1 always runs) cannot take it.
        s.write(|t| {
            t.tx.execute("UPDATE meeting_leases SET pid = 1", [])?;
            Ok(())
        })
        .unwrap();
        let err = s.acquire_lease(m, me).unwrap_err().to_string();
        assert!(err.contains("別の shinko（PID 1）で進行中"), "{err}");
        assert!(s.ensure_not_held_elsewhere(m, me).is_err());
        // Silent for longer than the stale limit: taken over.
        let old = (s.now() - chrono::Duration::seconds(LEASE_STALE_SECS + 5)).format("%Y-%m-%dT%H:%M:%S").to_string();
        s.write(|t| {
            t.tx.execute("UPDATE meeting_leases SET heartbeat = ?1", [&old])?;
            Ok(())
        })
        .unwrap();
        assert_eq!(s.acquire_lease(m, me).unwrap(), Some(1));
        s.heartbeat(m, me, None).unwrap();
        s.release_lease(m, me).unwrap();
        assert!(s.lease(m).unwrap().is_none());
        assert!(s.heartbeat(m, me, None).is_err(), "a lost lease is reported");
    }

    /// Two windows on one database file: the second is refused while the first runs, and
    /// takes over at once when the first is closed without releasing (killed, window shut),
    /// even though a process with the first one's pid may run (pids are reused on Windows).
    #[test]
    fn a_closed_window_frees_the_meeting_at_once_and_a_reused_pid_does_not_hold_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("m.db");
        let m = {
            let mut s = Store::open(&db, None).unwrap();
            let sum = demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
            s.start_meeting(sum.next_meeting).unwrap();
            sum.next_meeting
        };
        let mut first = Store::open(&db, None).unwrap();
        let mut second = Store::open(&db, None).unwrap();
        assert_eq!(first.acquire_lease(m, 4242).unwrap(), None);
        assert!(super::super::lease_lock::lock_path(&db, m).exists());
        match second.acquire_lease(m, 4343) {
            Err(StoreError::LeaseHeld { pid, host, .. }) => assert_eq!((pid, host), (4242, this_host())),
            other => panic!("the second window must be refused: {other:?}"),
        }
        assert!(matches!(second.ensure_not_held_elsewhere(m, 4343), Err(StoreError::LeaseHeld { .. })));
        drop(first);
        assert_eq!(second.acquire_lease(m, 4343).unwrap(), Some(4242), "taken over without waiting");
        // A lease row naming a live pid (1 always runs) whose process holds no lock is stale.
        second.release_lease(m, 4343).unwrap();
        second
            .write(|t| {
                let at = t.at().to_string();
                t.tx.execute(
                    "INSERT INTO meeting_leases(meeting_id, pid, host, heartbeat) VALUES (?1, 1, ?2, ?3)",
                    params![m, this_host(), at],
                )?;
                Ok(())
            })
            .unwrap();
        let mut third = Store::open(&db, None).unwrap();
        assert_eq!(third.acquire_lease(m, 4444).unwrap(), Some(1));
        assert!(matches!(second.heartbeat(m, 4343, None), Err(StoreError::LeaseLost)));
        third.close_meeting(m).unwrap();
        assert!(!super::super::lease_lock::lock_path(&db, m).exists(), "a closed meeting leaves no lock file");
    }

    #[test]
    fn drafts_are_kept_until_the_item_is_recorded() {
        let (mut s, m, items) = running_demo();
        let deep = items.iter().find(|i| i.track == Track::Deep).unwrap();
        let key = DraftKey::Item(deep.id);
        s.save_draft(m, key, "{\"summary\":\"途中\"}").unwrap();
        s.save_draft(m, key, "{\"summary\":\"途中まで入力\"}").unwrap();
        assert_eq!(s.drafts(m).unwrap(), vec![(key, "{\"summary\":\"途中まで入力\"}".to_string())]);
        let case = s.case(deep.case_id).unwrap();
        let cfg = Config::default();
        let mut f = DeepForm::from_item(deep, &case, &cfg, today());
        f.summary = "欠席が続く".into();
        f.actions = "東小学校／担任／登校確認／2027/1/15".into();
        let rec = f.check(&cfg, &case, today()).unwrap();
        s.record_item(deep.id, &rec, None).unwrap();
        assert!(s.drafts(m).unwrap().is_empty());
        let acts = s.actions_of_meeting(m).unwrap();
        assert_eq!(acts.len(), 1);
        // Recording again replaces the item's actions, never doubles them.
        s.record_item(deep.id, &rec, None).unwrap();
        assert_eq!(s.actions_of_meeting(m).unwrap().len(), 1);
    }

    #[test]
    fn nothing_is_recorded_in_a_meeting_that_is_not_running() {
        let mut s = Store::open_in_memory().unwrap();
        let sum = demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
        let item = s.agenda(sum.next_meeting).unwrap()[0].clone();
        let err = s.accept_item(&Config::default(), item.id, None).unwrap_err().to_string();
        assert!(err.contains("まだ開始していません"), "{err}");
        let err = s.start_meeting(sum.past_meeting).unwrap_err().to_string();
        assert!(err.contains("既に終了"), "{err}");
    }

    #[test]
    fn closing_writes_the_decisions_into_the_ledger_in_one_audited_transaction() {
        let (mut s, m, items) = running_demo();
        let cfg = Config::default();
        let quick = items.iter().find(|i| i.track == Track::Quick && i.draft.close_reason.is_none()).unwrap();
        let closing = items.iter().find(|i| i.draft.close_reason.is_some()).unwrap();
        let deep = items.iter().find(|i| i.track == Track::Deep).unwrap();
        s.accept_item(&cfg, quick.id, None).unwrap();
        s.accept_item(&cfg, closing.id, None).unwrap();
        let case = s.case(deep.case_id).unwrap();
        let mut f = DeepForm::from_item(deep, &case, &cfg, today());
        f.rank = "A".into();
        f.policy = "一時保護の要否を児相と協議".into();
        f.kind = DecisionKind::ReferToCgc.label().into();
        let rec = f.check(&cfg, &case, today()).unwrap();
        s.record_item(deep.id, &rec, None).unwrap();
        let before_audit = s.audit_entries(Some("case"), None, 100_000).unwrap().len();
        let sum = s.close_meeting(m).unwrap();
        assert_eq!((sum.updated, sum.closed), (3, 1));
        assert_eq!(sum.deferred, items.len() - 3);
        let c = s.case(deep.case_id).unwrap();
        assert_eq!((c.rank.as_str(), c.support_policy.as_str()), ("A", "一時保護の要否を児相と協議"));
        assert_eq!(c.next_review, rec.next_review);
        let closed = s.case(closing.case_id).unwrap();
        assert_eq!(closed.status, CaseStatus::Closed);
        assert_eq!(closed.closure.as_ref().unwrap().meeting_id, Some(m));
        assert!(s.audit_entries(Some("case"), None, 100_000).unwrap().len() > before_audit);
        assert_eq!(s.meeting(m).unwrap().status, MeetingStatus::Closed);
        assert!(s.agenda(m).unwrap().iter().all(|i| i.state != ItemState::Pending));
        assert!(s.audit_verify().unwrap().is_ok());
    }

    #[test]
    fn a_failed_close_changes_nothing() {
        let (mut s, m, items) = running_demo();
        let cfg = Config::default();
        let quick = &items[0];
        s.accept_item(&cfg, quick.id, None).unwrap();
        // The case was closed in the ledger during the meeting: closing refuses, nothing moves.
        s.write(|t| t.close_case(quick.case_id, CaseStatus::Closed, today(), "転出", None)).unwrap();
        let err = s.close_meeting(m).unwrap_err().to_string();
        assert!(err.contains("反映できません"), "{err}");
        assert_eq!(s.meeting(m).unwrap().status, MeetingStatus::InProgress);
        assert!(s.agenda(m).unwrap().iter().skip(1).all(|i| i.state == ItemState::Pending));
    }

    /// A lease row for a shinko on another computer that answered just now.
    fn held_on_another_computer(s: &mut Store, m: Id) {
        s.write(|t| {
            let at = t.at().to_string();
            t.tx.execute(
                "INSERT INTO meeting_leases(meeting_id, pid, host, heartbeat, since) VALUES (?1, 777, 'kaigi-pc', ?2, ?2)
                 ON CONFLICT(meeting_id) DO UPDATE SET pid = 777, host = 'kaigi-pc', heartbeat = ?2, since = ?2",
                params![m, at],
            )?;
            Ok(())
        })
        .unwrap();
    }

    fn is_live_refusal(r: Result<impl std::fmt::Debug>) -> bool {
        matches!(r, Err(StoreError::MeetingLive { .. }))
    }

    /// Every writer of a meeting's records asks the store, which refuses inside its write
    /// transaction while another live shinko holds the meeting: nothing is written.
    #[test]
    fn records_of_a_meeting_run_on_another_computer_are_refused() {
        let (mut s, m, items) = running_demo();
        let cfg = Config::default();
        let quick = items.iter().find(|i| i.track == Track::Quick).unwrap();
        let deep = items.iter().find(|i| i.track == Track::Deep).unwrap();
        let case = s.case(deep.case_id).unwrap();
        let mut f = DeepForm::from_item(deep, &case, &cfg, today());
        f.summary = "欠席が続く".into();
        let rec = f.check(&cfg, &case, today()).unwrap();
        let action = s.actions_to_review(m).unwrap().into_iter().next().expect("the demo has actions to review");
        let agency = s.agencies().unwrap()[0].id;
        let later = s.sessions(m).unwrap().last().unwrap().id;
        let mut deferred = quick.clone();
        deferred.defer();
        let audit_before = s.audit_entries(None, None, 1_000_000).unwrap().len();
        held_on_another_computer(&mut s, m);

        let err = s.accept_item(&cfg, quick.id, None).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("別の shinko（PID 777）で進行中") && text.contains("コンピューター名 kaigi-pc"),
            "{text}"
        );
        assert!(text.contains("から進行") && text.contains("変更できません"), "{text}");
        assert!(!text.contains(&case.name) && !text.contains(&case.kana), "no personal data: {text}");
        assert!(is_live_refusal(s.record_item(deep.id, &rec, None)));
        assert!(is_live_refusal(s.update_item(&deferred, None)));
        assert!(is_live_refusal(s.move_items(m, &[Move { item_id: deep.id, to_session: later }])));
        assert!(is_live_refusal(s.record_attendance(&Attendance {
            meeting_id: m,
            agency_id: agency,
            status: crate::domain::AttendanceStatus::Present,
            person: String::new(),
            info_received_on: None,
        })));
        assert!(is_live_refusal(s.review_action(m, action.id, ActionStatus::Done, "")));
        assert!(is_live_refusal(s.set_current(m, Some(quick.id))));
        assert!(is_live_refusal(s.start_meeting(m)));
        assert!(is_live_refusal(s.close_meeting(m)));
        assert_eq!(s.meeting(m).unwrap().status, MeetingStatus::InProgress);
        assert!(s.agenda(m).unwrap().iter().all(|i| i.state == ItemState::Pending));
        // Only the lease row was written since.
        assert_eq!(s.audit_entries(None, None, 1_000_000).unwrap().len(), audit_before);

        // Silent for longer than the stale limit: the other computer is gone, writes go ahead.
        let old = (s.now() - chrono::Duration::seconds(LEASE_STALE_SECS + 5)).format("%Y-%m-%dT%H:%M:%S").to_string();
        s.write(|t| {
            t.tx.execute("UPDATE meeting_leases SET heartbeat = ?1", [&old])?;
            Ok(())
        })
        .unwrap();
        s.accept_item(&cfg, quick.id, None).unwrap();
    }

    /// Two windows on one file: the holder records, the other is refused until the holder is
    /// closed; a holder whose lease was taken over is refused in turn.
    #[test]
    fn only_the_lease_holder_writes_and_a_window_that_lost_the_lease_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("m.db");
        let m = {
            let mut s = Store::open(&db, None).unwrap();
            let sum = demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
            s.start_meeting(sum.next_meeting).unwrap();
            sum.next_meeting
        };
        let cfg = Config::default();
        let mut holder = Store::open(&db, None).unwrap();
        let mut other = Store::open(&db, None).unwrap();
        holder.acquire_lease(m, 4242).unwrap();
        let items = holder.agenda(m).unwrap();
        let (a, b) = (&items[0], &items[1]);
        holder.accept_item(&cfg, a.id, Some(b.id)).unwrap();
        match other.accept_item(&cfg, b.id, None) {
            Err(StoreError::MeetingLive { pid, host, .. }) => assert_eq!((pid, host), (4242, this_host())),
            r => panic!("the other window must be refused: {r:?}"),
        }
        assert!(is_live_refusal(other.close_meeting(m)));
        assert_eq!(other.agenda_item(b.id).unwrap().state, ItemState::Pending);

        // The holder hangs past the stale limit; the other window takes the meeting over.
        let old =
            (holder.now() - chrono::Duration::seconds(LEASE_STALE_SECS + 5)).format("%Y-%m-%dT%H:%M:%S").to_string();
        holder
            .write(|t| {
                t.tx.execute("UPDATE meeting_leases SET heartbeat = ?1", [&old])?;
                Ok(())
            })
            .unwrap();
        assert_eq!(other.acquire_lease(m, 4343).unwrap(), Some(4242));
        assert!(is_live_refusal(holder.accept_item(&cfg, b.id, None)), "a lost lease writes nothing");
        other.accept_item(&cfg, b.id, None).unwrap();
        other.close_meeting(m).unwrap();
    }

    /// A rank changed in the ledger during the meeting is not reverted by closing it; the
    /// conflict is reported. Fields the meeting did not change keep edits made meanwhile.
    #[test]
    fn closing_keeps_edits_made_meanwhile_and_reports_conflicts() {
        let (mut s, m, items) = running_demo();
        let cfg = Config::default();
        // Two deep items of cases ranked B or C in a scheme that has A, B and C.
        let deep: Vec<&AgendaItem> = items
            .iter()
            .filter(|i| {
                let c = s.case(i.case_id).unwrap();
                let scheme = cfg.rank_scheme(c.registration);
                i.track == Track::Deep
                    && ["A", "B", "C"].iter().all(|r| scheme.get(r).is_some())
                    && (c.rank == "B" || c.rank == "C")
            })
            .take(2)
            .collect();
        let (x, y) = (deep[0], deep[1]);
        let record = |s: &mut Store, item: &AgendaItem, rank: &str| {
            let case = s.case(item.case_id).unwrap();
            let mut f = DeepForm::from_item(item, &case, &cfg, today());
            f.summary = "状況を確認".into();
            f.rank = rank.into();
            f.policy = "会議で決めた方針".into();
            let rec = f.check(&cfg, &case, today()).unwrap();
            s.record_item(item.id, &rec, None).unwrap();
            (case, rec)
        };
        // x: the meeting raises the rank to A; the ledger meanwhile sets it to C.
        let (cx, rx) = record(&mut s, x, "A");
        // y: the meeting keeps the rank; the ledger meanwhile sets it to A and the town.
        let kept = s.case(y.case_id).unwrap().rank;
        let (cy, _) = record(&mut s, y, &kept);
        s.write(|t| {
            let mut c = t.case(cx.id)?;
            c.rank = if cx.rank == "C" { "B".into() } else { "C".into() };
            t.save_case(&c)?;
            let mut c = t.case(cy.id)?;
            c.rank = "A".into();
            c.town = "新町".into();
            t.save_case(&c)
        })
        .unwrap();
        let meanwhile_x = s.case(cx.id).unwrap().rank;

        let sum = s.close_meeting(m).unwrap();
        assert_eq!(sum.conflicts, vec![CloseConflict { case_number: cx.number.clone(), field: live::RANK }]);
        assert!(sum.conflicts[0].message().contains(&format!("ケース {}: ランクは会議中に台帳で変更", cx.number)));
        let after_x = s.case(cx.id).unwrap();
        assert_eq!(after_x.rank, meanwhile_x, "the ledger's rank is not overwritten");
        assert_eq!(after_x.support_policy, "会議で決めた方針", "what did not conflict is applied");
        assert_eq!(after_x.next_review, rx.next_review);
        let after_y = s.case(cy.id).unwrap();
        assert_eq!((after_y.rank.as_str(), after_y.town.as_str()), ("A", "新町"), "edits made meanwhile stay");
        assert_eq!(after_y.support_policy, "会議で決めた方針");
        assert!(s.audit_verify().unwrap().is_ok());
    }
}
