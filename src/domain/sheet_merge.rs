//! The merged sheet per case (高浜町: the secretariat merges every institution's sheet into one
//! per child): each institution's latest sheet beside the change since its previous one, and
//! the sheets asked for that never came back.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::Id;
use super::sheet::AssessmentSheet;

/// One institution's column in the merged view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgencyColumn {
    pub agency_id: Id,
    pub latest: AssessmentSheet,
    /// The same institution's sheet for the period before, if any.
    pub previous: Option<AssessmentSheet>,
    /// Items ticked now that were not ticked last period (all ticks when there is no previous).
    pub newly_ticked: Vec<String>,
    /// Items ticked last period and no longer ticked.
    pub cleared: Vec<String>,
    /// The lowest safety scale among the sheets after `previous` (the latest's alone when
    /// comparing period to period).
    pub lowest_since: Option<u8>,
}

impl AgencyColumn {
    /// Change of the safety scale since the previous period (negative = worse).
    pub fn scale_change(&self) -> Option<i16> {
        let now = self.latest.safety_scale?;
        let before = self.previous.as_ref()?.safety_scale?;
        Some(now as i16 - before as i16)
    }

    /// The fall of the safety scale from `previous` to the lowest sheet since, as
    /// (before, lowest), when there was one: a drop is not forgotten because a later sheet
    /// recovered.
    pub fn drop_since(&self) -> Option<(u8, u8)> {
        let before = self.previous.as_ref()?.safety_scale?;
        let low = self.lowest_since?;
        (low < before).then_some((before, low))
    }
}

/// A sheet that was asked for (a template was sent) and has not come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MissingSheet {
    pub agency_id: Id,
    pub period: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergedSheets {
    pub case_id: Id,
    /// One column per institution that ever sent a sheet, by agency id.
    pub columns: Vec<AgencyColumn>,
    /// Requested sheets without an answer, for the latest requested period of each institution.
    pub missing: Vec<MissingSheet>,
}

impl MergedSheets {
    /// The largest drop of the safety scale among institutions, as (before, now).
    pub fn worst_drop(&self) -> Option<(u8, u8)> {
        self.columns
            .iter()
            .filter(|c| c.scale_change().is_some_and(|d| d < 0))
            .min_by_key(|c| c.scale_change())
            .and_then(|c| Some((c.previous.as_ref()?.safety_scale?, c.latest.safety_scale?)))
    }

    /// Newly ticked items across institutions, each key once, in first-seen order.
    pub fn newly_ticked(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for k in self.columns.iter().flat_map(|c| &c.newly_ticked) {
            if !out.contains(k) {
                out.push(k.clone());
            }
        }
        out
    }

    /// The lowest current safety scale, if any institution gave one.
    pub fn lowest_scale(&self) -> Option<u8> {
        self.columns.iter().filter_map(|c| c.latest.safety_scale).min()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty() && self.missing.is_empty()
    }
}

/// Merges one case's sheets. `sheets` may hold other cases' sheets (they are skipped);
/// `requests` are (case_id, agency_id, period) triples as stored in `sheet_requests`.
pub fn merge(case_id: Id, sheets: &[AssessmentSheet], requests: &[(Id, Id, NaiveDate)]) -> MergedSheets {
    merge_with(case_id, &sheets.iter().collect::<Vec<_>>(), requests, None)
}

/// Like [`merge`], but each institution's latest sheet is compared with the sheet the last
/// meeting saw (its latest for a period on or before `seen`) rather than the one just before:
/// ticks and the lowest scale count over every sheet since. An institution with nothing since
/// compares period to period as in [`merge`].
pub fn merge_since(
    case_id: Id,
    sheets: &[AssessmentSheet],
    requests: &[(Id, Id, NaiveDate)],
    seen: NaiveDate,
) -> MergedSheets {
    merge_with(case_id, &sheets.iter().collect::<Vec<_>>(), requests, Some(seen))
}

/// [`merge_since`] over borrowed sheets: triage holds each case's sheets by reference and
/// need not copy them, notes and all, for every case.
pub fn merge_since_of(
    case_id: Id,
    sheets: &[&AssessmentSheet],
    requests: &[(Id, Id, NaiveDate)],
    seen: NaiveDate,
) -> MergedSheets {
    merge_with(case_id, sheets, requests, Some(seen))
}

fn merge_with(
    case_id: Id,
    sheets: &[&AssessmentSheet],
    requests: &[(Id, Id, NaiveDate)],
    seen: Option<NaiveDate>,
) -> MergedSheets {
    let mut by_agency: BTreeMap<Id, Vec<&AssessmentSheet>> = BTreeMap::new();
    let mut answered: BTreeSet<(Id, NaiveDate)> = BTreeSet::new();
    for s in sheets.iter().copied().filter(|s| s.case_id == case_id) {
        by_agency.entry(s.agency_id).or_default().push(s);
        answered.insert((s.agency_id, s.period));
    }
    let columns = by_agency
        .into_iter()
        .map(|(agency_id, mut list)| {
            list.sort_by_key(|s| s.period);
            let latest = (*list.last().expect("non-empty by construction")).clone();
            // The sheets compared: from just after `previous` up to the latest.
            let first_new = match seen {
                Some(day) if latest.period > day => list.iter().position(|s| s.period > day).unwrap_or(0),
                _ => list.len() - 1,
            };
            let previous = first_new.checked_sub(1).map(|i| list[i].clone());
            let since = &list[first_new..];
            let before: &[String] = previous.as_ref().map(|p| p.checks.as_slice()).unwrap_or(&[]);
            let mut newly_ticked: Vec<String> = Vec::new();
            for k in since.iter().flat_map(|s| &s.checks) {
                if !before.contains(k) && !newly_ticked.contains(k) {
                    newly_ticked.push(k.clone());
                }
            }
            let cleared = before.iter().filter(|k| !latest.checks.contains(k)).cloned().collect();
            let lowest_since = since.iter().filter_map(|s| s.safety_scale).min();
            AgencyColumn { agency_id, latest, previous, newly_ticked, cleared, lowest_since }
        })
        .collect();

    // Only the latest period asked of each institution counts as missing: an old unanswered
    // request superseded by a newer one is history, not a gap to chase.
    let mut last_request: BTreeMap<Id, NaiveDate> = BTreeMap::new();
    for &(_, a, p) in requests.iter().filter(|r| r.0 == case_id) {
        let e = last_request.entry(a).or_insert(p);
        if p > *e {
            *e = p;
        }
    }
    let missing = last_request
        .into_iter()
        .filter(|&(a, p)| !answered.contains(&(a, p)))
        .map(|(agency_id, period)| MissingSheet { agency_id, period })
        .collect();
    MergedSheets { case_id, columns, missing }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, 30).unwrap()
    }

    fn sheet(case_id: Id, agency_id: Id, period: NaiveDate, checks: &[&str], scale: Option<u8>) -> AssessmentSheet {
        AssessmentSheet {
            id: 0,
            case_id,
            agency_id,
            period,
            written_on: None,
            checks: checks.iter().map(|s| s.to_string()).collect(),
            notes: BTreeMap::new(),
            safety_scale: scale,
            writer: String::new(),
            source: String::new(),
        }
    }

    #[test]
    fn latest_sheet_per_institution_with_the_change_since_the_previous_period() {
        let sheets = vec![
            sheet(1, 10, d(6), &["absence"], Some(7)),
            sheet(1, 10, d(9), &["absence", "injury"], Some(4)),
            sheet(1, 20, d(9), &["hygiene"], Some(6)),
            sheet(2, 10, d(9), &["fear"], Some(1)),
        ];
        let m = merge(1, &sheets, &[]);
        assert_eq!(m.columns.len(), 2);
        let school = &m.columns[0];
        assert_eq!(school.latest.period, d(9));
        assert_eq!(school.newly_ticked, vec!["injury".to_string()]);
        assert_eq!(school.scale_change(), Some(-3));
        assert_eq!(m.worst_drop(), Some((7, 4)));
        assert_eq!(m.newly_ticked(), vec!["injury".to_string(), "hygiene".to_string()]);
        assert_eq!(m.lowest_scale(), Some(4));
    }

    #[test]
    fn cleared_ticks_and_a_rising_scale_are_not_a_drop() {
        let sheets = vec![sheet(1, 10, d(6), &["absence"], Some(3)), sheet(1, 10, d(9), &[], Some(6))];
        let m = merge(1, &sheets, &[]);
        assert_eq!(m.columns[0].cleared, vec!["absence".to_string()]);
        assert_eq!(m.worst_drop(), None);
        assert!(m.newly_ticked().is_empty());
    }

    /// 10 seen by the last meeting, 7 after it, 8 now: against the sheet the meeting saw, the
    /// fall to 7 still shows, and a tick in the middle sheet counts as new.
    #[test]
    fn since_the_sheet_the_last_meeting_saw_a_recovered_drop_is_not_forgotten() {
        let sheets = vec![
            sheet(1, 10, d(3), &[], Some(10)),
            sheet(1, 10, d(6), &["fear"], Some(7)),
            sheet(1, 10, d(9), &[], Some(8)),
        ];
        let plain = merge(1, &sheets, &[]);
        assert_eq!((plain.columns[0].scale_change(), plain.columns[0].drop_since()), (Some(1), None));
        assert!(plain.columns[0].newly_ticked.is_empty());
        let m = merge_since(1, &sheets, &[], d(4));
        let c = &m.columns[0];
        assert_eq!(c.previous.as_ref().unwrap().period, d(3));
        assert_eq!(c.drop_since(), Some((10, 7)));
        assert_eq!(c.newly_ticked, vec!["fear".to_string()]);
        // Nothing since the meeting: compared period to period.
        let old = merge_since(1, &sheets, &[], d(10));
        assert_eq!(old.columns[0].previous.as_ref().unwrap().period, d(6));
    }

    #[test]
    fn only_the_latest_unanswered_request_of_each_institution_is_missing() {
        let sheets = vec![sheet(1, 10, d(9), &[], Some(8))];
        let requests = vec![(1, 10, d(9)), (1, 20, d(6)), (1, 20, d(9)), (2, 30, d(9))];
        let m = merge(1, &sheets, &requests);
        assert_eq!(m.missing, vec![MissingSheet { agency_id: 20, period: d(9) }]);
    }
}
