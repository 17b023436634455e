//! The ledger's effects run against the store (the runtime's side of [`super`]).

use chrono::NaiveDate;

use super::{CaseCounts, CaseDetail, LedgerData, LedgerEffect, LedgerMsg, SaveCase};
use crate::domain::{CaseStatus, Id};
use crate::store::{CaseFilter, CaseSort, Store, StoreError};

pub fn effect_name(e: &LedgerEffect) -> &'static str {
    match e {
        LedgerEffect::Load { .. } => "load_ledger",
        LedgerEffect::LoadDetail(_) => "load_detail",
        LedgerEffect::SaveCase(_) => "save_case",
        LedgerEffect::CloseCase { .. } => "close_case",
        LedgerEffect::AddContact { .. } => "add_contact",
        LedgerEffect::RecordBirth { .. } => "record_birth",
        LedgerEffect::UrgentReport { .. } => "urgent_report",
    }
}

/// Runs one ledger effect; a failure is told to the screen as [`LedgerMsg::Failed`].
pub fn execute(store: &mut Store, e: LedgerEffect) -> Result<LedgerMsg, StoreError> {
    match e {
        LedgerEffect::Load { select } => load(store, select).map(|d| LedgerMsg::Loaded(Box::new(d))),
        LedgerEffect::LoadDetail(id) => load_detail(store, id).map(|d| LedgerMsg::DetailLoaded(Box::new(d))),
        LedgerEffect::SaveCase(s) => match save_case(store, *s) {
            Err(e @ StoreError::UnknownAgency { .. }) => {
                Ok(LedgerMsg::AskAgain(crate::tui::screen::ask_new_agency(&e)))
            }
            Err(e @ StoreError::Stale { .. }) => Ok(LedgerMsg::Stale(crate::tui::screen::stale_hint(&e))),
            other => other,
        },
        LedgerEffect::CloseCase { id, status, on, reason, category, categories } => {
            close_case(store, id, status, on, &reason, (&category, &categories))
        }
        LedgerEffect::AddContact { contact, number, today } => {
            let message = crate::tui::screen::record_contact(store, &contact, &number, today)?;
            Ok(LedgerMsg::Saved { case_id: contact.case_id, message })
        }
        LedgerEffect::RecordBirth { birth, number, today, config } => {
            let kids = store.write(|t| t.record_birth(&birth, today, &config))?;
            tracing::info!(case_id = birth.mother_case, newborns = kids.len(), "birth recorded from the tui");
            let numbers: Vec<&str> = kids.iter().map(|(_, n)| n.as_str()).collect();
            let message = format!(
                "ケース {number} の出生を記録しました。新生児のケース: {}（母の登録: {}）",
                numbers.join("、"),
                birth.mother.label()
            );
            Ok(LedgerMsg::Saved { case_id: kids.first().map_or(birth.mother_case, |k| k.0), message })
        }
        LedgerEffect::UrgentReport { report, rules } => {
            let (_, raised) = store.write(|t| t.save_monthly_report(&report, &rules))?;
            tracing::info!(case_id = report.case_id, alerts = raised.len(), "urgent report entered from the tui");
            let said: Vec<String> = raised.into_iter().map(|(_, d)| d).collect();
            let alert = if said.is_empty() { String::new() } else { format!("。要確認: {}", said.join("、")) };
            Ok(LedgerMsg::Saved {
                case_id: report.case_id, message: format!("随時報告を記録しました{alert}")
            })
        }
    }
}

pub fn load(store: &Store, select: Option<Id>) -> Result<LedgerData, StoreError> {
    load_telling(store, select, |_| {})
}

/// [`load`], telling `progress` how many rows are read (every [`PROGRESS_EVERY`]).
pub fn load_telling(store: &Store, select: Option<Id>, progress: impl FnMut(usize)) -> Result<LedgerData, StoreError> {
    Ok(LedgerData {
        rows: store.case_rows_telling(PROGRESS_EVERY, progress)?,
        page_of: None,
        ..reference_data(store, select)?
    })
}

/// Rows between two progress reports while the index is read.
pub const PROGRESS_EVERY: usize = 10_000;

/// The ledger's first screenful in its default view (open cases by number), with the counts
/// the header shows: what the first frame is drawn from before the index is read.
pub fn first_page(store: &Store, rows: usize) -> Result<LedgerData, StoreError> {
    let page = store.case_page(&CaseFilter::default(), CaseSort::Number, None, rows)?;
    let count = |closed| store.case_count(closed).map(|n| usize::try_from(n).unwrap_or(0));
    Ok(LedgerData {
        rows: page,
        page_of: Some(CaseCounts { all: count(true)?, open: count(false)? }),
        ..reference_data(store, None)?
    })
}

/// What every load reads besides the rows.
fn reference_data(store: &Store, select: Option<Id>) -> Result<LedgerData, StoreError> {
    Ok(LedgerData {
        rows: Vec::new(),
        agencies: store.agencies()?,
        municipality: store.setting("municipality")?,
        select,
        page_of: None,
        people: store.case_names()?,
    })
}

fn load_detail(store: &Store, id: Id) -> Result<CaseDetail, StoreError> {
    let case = store.case(id)?;
    let siblings = match case.household_id {
        Some(h) => store.cases_in_household(h)?.into_iter().filter(|c| c.id != id).collect(),
        None => Vec::new(),
    };
    let decisions = store.decisions_of_case(id)?;
    let ids: Vec<Id> = decisions.iter().map(|d| d.meeting_id).collect();
    let dates = if ids.is_empty() { Default::default() } else { store.meeting_dates_of(&ids)? };
    let mut meeting_dates = Vec::new();
    for d in &decisions {
        if !meeting_dates.iter().any(|(m, _)| *m == d.meeting_id)
            && let Some(date) = dates.get(&d.meeting_id).copied()
        {
            meeting_dates.push((d.meeting_id, date));
        }
    }
    Ok(CaseDetail {
        siblings,
        agencies: store.case_agencies(id)?,
        decisions,
        meeting_dates,
        actions: store.actions_of_case(id)?,
        sheets: store.sheets_of_case(id)?,
        sheet_requests: store.sheet_requests_of_case(id)?,
        contacts: store.contacts_of_case(id)?,
        monthly_reports: store.monthly_reports_of_case(id)?,
        report_alerts: store.report_alerts_of_case(id)?,
        case,
    })
}

/// Saves a case from a form, creating the named agencies if they are new. Audited.
pub fn save_case(store: &mut Store, s: SaveCase) -> Result<LedgerMsg, StoreError> {
    let SaveCase { mut case, affiliation, lead_agency, new_agencies } = s;
    let new = case.id == 0;
    let id = store.write(|t| {
        case.affiliation = affiliation.as_deref().map(|n| t.agency_for(n, new_agencies)).transpose()?;
        case.lead_agency = lead_agency.as_deref().map(|n| t.agency_for(n, new_agencies)).transpose()?;
        t.save_case(&case)
    })?;
    tracing::info!(case_id = id, new, "case saved from the tui");
    let verb = if new { "登録" } else { "更新" };
    Ok(LedgerMsg::Saved { case_id: id, message: format!("ケース {} を{verb}しました", case.number) })
}

fn close_case(
    store: &mut Store,
    id: Id,
    status: CaseStatus,
    on: NaiveDate,
    reason: &str,
    (category, categories): (&str, &[String]),
) -> Result<LedgerMsg, StoreError> {
    store.write(|t| t.close_case_as(id, status, on, reason, category, categories, None))?;
    let number = store.case(id)?.number;
    tracing::info!(case_id = id, "case closed from the tui");
    Ok(LedgerMsg::Saved { case_id: id, message: format!("ケース {number} を{}しました", status.label()) })
}
