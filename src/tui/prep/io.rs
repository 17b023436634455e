//! The preparation screen's effects run against the store (the runtime's side of [`super`]).

use std::path::PathBuf;

use chrono::NaiveDate;

use super::{AgendaEdit, MeetingRef, PrepData, PrepEffect, PrepMsg};
use crate::domain::{Config, Id, Track};
use crate::store::{Store, StoreError};

pub fn effect_name(e: &PrepEffect) -> &'static str {
    match e {
        PrepEffect::Load { .. } => "load_prep",
        PrepEffect::Edit { .. } => "edit_agenda",
        PrepEffect::Rebuild { .. } => "rebuild_agenda",
        PrepEffect::AcceptCapacity { .. } => "accept_capacity",
        PrepEffect::ExportPackets { .. } => "export_packets",
    }
}

/// Runs one effect of the preparation screen.
pub fn execute(store: &mut Store, e: PrepEffect) -> Result<PrepMsg, StoreError> {
    match e {
        PrepEffect::Load { meeting, select, today, config } => {
            load(store, meeting, select, today, &config).map(|d| PrepMsg::Loaded(Box::new(d)))
        }
        PrepEffect::Edit { edit, message, select } => match edit_agenda(store, edit, message, select) {
            Err(e @ StoreError::Stale { .. }) => Ok(PrepMsg::Stale(crate::tui::screen::stale_hint(&e))),
            other => other,
        },
        PrepEffect::Rebuild { meeting, today, config } => rebuild_agenda(store, meeting, today, &config),
        PrepEffect::AcceptCapacity { meeting, today, config } => {
            let plans = store.accept_capacity(meeting, today, &config)?;
            let n: usize = plans.iter().map(|p| p.deferrals.len()).sum();
            tracing::info!(meeting, moved = n, "capacity proposal accepted from the tui");
            let message = crate::domain::capacity::accepted_message(&plans);
            Ok(PrepMsg::Saved { select: None, message })
        }
        PrepEffect::ExportPackets { meeting, dir, config } => export_packets(store, meeting, &dir, &config),
    }
}

/// The preparation screen's data for `meeting` (None: the next planned meeting after today).
pub fn load(
    store: &Store,
    meeting: Option<Id>,
    select: Option<Id>,
    today: NaiveDate,
    config: &Config,
) -> Result<PrepData, StoreError> {
    let dates = store.meeting_dates()?;
    let meetings: Vec<MeetingRef> = store
        .meetings()?
        .into_iter()
        .map(|m| MeetingRef { id: m.id, date: dates.get(&m.id).copied(), title: m.title, status: m.status })
        .collect();
    let Some(id) = meeting.or_else(|| super::default_meeting(&meetings, today)) else {
        return Ok(PrepData { meetings, ..Default::default() });
    };
    let plan = store.agenda_plan(id, config)?;
    let items: Vec<_> = plan.items().cloned().collect();
    // One statement per kind of fact for the whole agenda, not one per item.
    let ids: Vec<Id> = items.iter().map(|i| i.case_id).collect();
    let cases = store.cases_by_id(&ids)?;
    if let Some(&id) = ids.iter().find(|id| !cases.contains_key(id)) {
        return Err(StoreError::NotFound { entity: "ケース", id });
    }
    let sheets = store.sheets_of_cases(&ids)?;
    let requests = store.sheet_requests_of_cases(&ids)?;
    let links = store
        .case_agencies_of_cases(&ids)?
        .into_iter()
        .map(|(id, l)| (id, l.into_iter().map(|(a, _)| a).collect()))
        .collect();
    let date = meetings.iter().find(|m| m.id == id).and_then(|m| m.date);
    let folder = format!("事前送付資料_{}", date.map(|d| d.to_string()).unwrap_or_else(|| id.to_string()));
    let out_dir = std::env::current_dir().map(|d| d.join(&folder)).unwrap_or_else(|_| PathBuf::from(&folder));
    Ok(PrepData {
        meetings,
        meeting: Some(store.meeting(id)?),
        sessions: store.sessions(id)?,
        plan,
        items,
        cases,
        sheets,
        requests,
        links,
        replies: store.replies(id)?,
        reply_status: reply_status(store, id, config)?,
        capacity: store.capacity_proposal(id, today, config)?,
        out_dir: out_dir.display().to_string(),
        select,
    })
}

/// Who has replied to the packets; none before there is an agenda to send.
fn reply_status(
    store: &Store,
    meeting: Id,
    config: &Config,
) -> Result<Vec<crate::exchange::reply_import::AgencyReplies>, StoreError> {
    use crate::exchange::packets::PacketError;
    match crate::exchange::reply_import::reply_status(store, meeting, config) {
        Ok(r) => Ok(r),
        Err(PacketError::Store(e)) => Err(e),
        Err(_) => Ok(Vec::new()),
    }
}

/// One hand edit through the store's agenda edits (audited; rebuilding keeps it).
fn edit_agenda(store: &mut Store, edit: AgendaEdit, message: String, select: Id) -> Result<PrepMsg, StoreError> {
    store.write(|t| match &edit {
        AgendaEdit::Track(id, track) => t.set_item_track(*id, *track),
        AgendaEdit::Session(id, session) => t.set_item_session(*id, *session),
        AgendaEdit::Position(id, position) => t.reorder_item(*id, *position),
        AgendaEdit::Lock(id, locked) => t.set_item_locked(*id, *locked),
        AgendaEdit::Draft { id, draft, based_on } => t.set_item_draft(*id, draft, Some(based_on)),
        AgendaEdit::Ask(id, q) => t.add_question(*id, q),
    })?;
    tracing::info!(item = select, "agenda edited from the tui");
    Ok(PrepMsg::Saved { select: Some(select), message })
}

/// Re-plans the agenda; locked blocks and hand edits stay.
fn rebuild_agenda(store: &mut Store, meeting: Id, today: NaiveDate, config: &Config) -> Result<PrepMsg, StoreError> {
    let plan = store.build_agenda(meeting, today, config)?;
    let (q, d) = (plan.count(Track::Quick), plan.count(Track::Deep));
    tracing::info!(meeting, items = q + d, "agenda rebuilt from the tui");
    Ok(PrepMsg::Saved {
        select: None, message: format!("議事次第を作り直しました（一括確認 {q}件・重点協議 {d}件）")
    })
}

/// Writes the packets; an existing file is never replaced from the TUI (choose another folder).
fn export_packets(store: &Store, meeting: Id, dir: &std::path::Path, config: &Config) -> Result<PrepMsg, StoreError> {
    use crate::exchange::output::OutputError;
    use crate::exchange::packets::{self, PacketError};
    let err = |e: PacketError| match e {
        PacketError::Store(e) => e,
        PacketError::Output(OutputError::Exists { path }) => {
            StoreError::invalid("出力先", format!("{path} は既に存在します。別のフォルダを指定してください"))
        }
        other => StoreError::invalid("事前送付資料", other.to_string()),
    };
    let files = packets::write_packets(store, meeting, dir, false, config).map_err(err)?;
    let unsent = packets::unsent_questions(store, meeting).map_err(err)?.len();
    tracing::info!(meeting, files = files.len(), "packets written from the tui");
    let note = if unsent > 0 {
        format!("（関わりのない機関への質問 {unsent} 件は送付されません）")
    } else {
        String::new()
    };
    Ok(PrepMsg::Saved {
        select: None,
        message: format!("事前送付資料 {} 件を {} に出力しました{note}", files.len(), dir.display()),
    })
}
