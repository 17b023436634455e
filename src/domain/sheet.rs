//! アセスメントシート: one institution's quarterly sheet for one child, and the merged view
//! the secretariat builds from all institutions' sheets.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Id;

/// 虐待防止進行管理アセスメントシート as filled by one institution for one case and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentSheet {
    pub id: Id,
    pub case_id: Id,
    pub agency_id: Id,
    /// The last day of the period the sheet covers (対象期間の末日 = the due date asked for).
    pub period: NaiveDate,
    /// The day the institution filled it in (記入日).
    pub written_on: Option<NaiveDate>,
    /// Keys of the ticked check items (configured `sheet_items`).
    pub checks: Vec<String>,
    /// Free-text answers by item key.
    pub notes: BTreeMap<String, String>,
    /// セーフティスケール: 0 = cannot stay home … 10 = safe enough to close.
    pub safety_scale: Option<u8>,
    /// 記入者
    pub writer: String,
    /// File the sheet was imported from (file name only, never a full path).
    pub source: String,
}

impl AssessmentSheet {
    /// True when the institution wrote anything that needs a follow-up visit.
    pub fn has_content(&self) -> bool {
        !self.checks.is_empty() || self.notes.values().any(|v| !v.trim().is_empty())
    }
}
