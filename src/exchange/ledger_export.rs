//! Ledger export in the same column vocabulary the importer reads, so an exported file
//! imports back unchanged (dates as 2024-04-01, institutions by name).

use std::collections::HashMap;
use std::path::Path;

use super::ledger_columns::LedgerField as F;
use super::table_writer;
use crate::domain::{AbuseType, Case, Id};
use crate::store::{Store, StoreError};

pub fn headers() -> Vec<String> {
    F::ALL.iter().map(|f| f.header().to_string()).collect()
}

/// A household as the ledger file names it: the smallest case number among its members, so
/// the same siblings get the same value in every export and an import links them again.
pub fn household_keys(cases: &[Case]) -> HashMap<Id, String> {
    let mut keys: HashMap<Id, String> = HashMap::new();
    for c in cases {
        if let Some(h) = c.household_id {
            let k = keys.entry(h).or_insert_with(|| c.number.clone());
            if c.number < *k {
                *k = c.number.clone();
            }
        }
    }
    keys
}

/// One row of text per case, in `LedgerField::ALL` order.
pub fn row(c: &Case, agency_name: &impl Fn(Option<Id>) -> String, households: &HashMap<Id, String>) -> Vec<String> {
    let d = |x: Option<chrono::NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
    F::ALL
        .iter()
        .map(|f| match f {
            F::Number => c.number.clone(),
            F::Name => c.name.clone(),
            F::Kana => c.kana.clone(),
            F::Sex => c.sex.label().into(),
            F::BirthDate => d(c.birth_date),
            F::DueDate => d(c.due_date),
            F::Registration => c.registration.label().into(),
            F::Rank => c.rank.clone(),
            F::AbuseTypes => AbuseType::join(&c.abuse_types),
            F::Town => c.town.clone(),
            F::AcceptedOn => c.accepted_on.to_string(),
            F::Concern => c.presenting_concern.clone(),
            F::Affiliation => agency_name(c.affiliation),
            F::Grade => c.grade.clone(),
            F::LeadAgency => agency_name(c.lead_agency),
            F::KeyWorker => c.key_worker.clone(),
            F::Cgc => c.cgc.label().into(),
            F::Policy => c.support_policy.clone(),
            F::LastReview => d(c.last_review),
            F::NextReview => d(c.next_review),
            F::Status => c.status.label().into(),
            F::ClosedOn => d(c.closure.as_ref().map(|x| x.on)),
            F::CloseReason => c.closure.as_ref().map(|x| x.reason.clone()).unwrap_or_default(),
            F::Notes => c.notes.clone(),
            F::People => c.people.clone(),
            F::MonthlyReport => c.monthly_report.label().into(),
            F::Household => c.household_id.and_then(|h| households.get(&h).cloned()).unwrap_or_default(),
        })
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("出力先は .xlsx か .csv にしてください")]
    Extension,
    #[error("Excelファイルを作成できません: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// The whole ledger (closed cases too) as .xlsx or .csv bytes, chosen by `path`'s extension;
/// an .xlsx prints `notice` in its page header.
pub fn ledger_bytes(store: &Store, path: &Path, notice: &str) -> Result<(Vec<u8>, usize), ExportError> {
    let names: HashMap<Id, String> = store.agencies()?.into_iter().map(|a| (a.id, a.name)).collect();
    let agency_name = |id: Option<Id>| id.and_then(|i| names.get(&i).cloned()).unwrap_or_default();
    let cases = store.cases(true)?;
    let households = household_keys(&cases);
    // Each row's text is made as the writer takes it: the whole ledger as text at once was
    // the largest part of the memory at 100,000 cases.
    let rows = cases.iter().map(|c| row(c, &agency_name, &households));
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    let bytes = match ext.as_str() {
        "csv" => table_writer::csv_bytes(&headers(), rows),
        "xlsx" => table_writer::xlsx_bytes("進行管理台帳", notice, &headers(), rows)?,
        _ => return Err(ExportError::Extension),
    };
    Ok((bytes, cases.len()))
}
