//! What flows into `update` ([`Msg`]) and what comes out of it ([`Effect`]). Effects are the
//! only way the UI touches the store; the runtime turns their results back into messages.

use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use crate::domain::{Action, Agency, AssessmentSheet, Case, CaseStatus, Decision, Id};
use crate::store::CaseRow;

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    /// Bracketed paste (Unix terminals): inserted into the focused field as one piece.
    Paste(String),
    Resize(u16, u16),
    /// The ledger and its reference data, (re)loaded.
    LedgerLoaded(Box<LedgerData>),
    DetailLoaded(Box<CaseDetail>),
    /// A write succeeded; `message` is shown in the status line.
    Saved {
        case_id: Id,
        message: String,
    },
    /// The figures of one fiscal year (年度統計).
    StatsLoaded(Box<crate::domain::stats::YearStats>),
    /// An effect failed; the message is Japanese and holds no personal data.
    Failed(String),
    /// The meeting screen's data, (re)loaded; None when there is no meeting to run.
    MeetingLoaded(Option<Box<super::meeting::MeetingData>>),
    /// A meeting change was stored; the message goes to the status line. `reload` when the
    /// screen's copy cannot follow the change by itself (decisions recorded, items moved).
    MeetingSaved {
        message: String,
        reload: bool,
    },
    /// The clock, once a second from the runtime (timers, heartbeat, idle lock).
    Tick(chrono::NaiveDateTime),
}

#[derive(Debug, Clone, Default)]
pub struct LedgerData {
    pub rows: Vec<CaseRow>,
    pub agencies: Vec<Agency>,
    /// 自治体名 stored in the database (the demo sets one); else the configured name is used.
    pub municipality: Option<String>,
    /// Case to select after loading (the one just saved).
    pub select: Option<Id>,
}

/// Everything the detail pane shows for one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDetail {
    pub case: Case,
    /// きょうだい: other cases in the same household.
    pub siblings: Vec<Case>,
    /// Other 関係機関 of the case (agency id, role), besides 所属 and 主担当.
    pub agencies: Vec<(Id, String)>,
    pub decisions: Vec<Decision>,
    /// Dates of the meetings the decisions were made in.
    pub meeting_dates: Vec<(Id, NaiveDate)>,
    pub actions: Vec<Action>,
    pub sheets: Vec<AssessmentSheet>,
    /// Sheets asked of institutions for this case: (case, agency, period).
    pub sheet_requests: Vec<(Id, Id, NaiveDate)>,
}

/// A case to save, with the agencies named in the form (created if new).
#[derive(Debug, Clone, PartialEq)]
pub struct SaveCase {
    pub case: Case,
    pub affiliation: Option<String>,
    pub lead_agency: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadLedger {
        select: Option<Id>,
    },
    LoadDetail(Id),
    SaveCase(Box<SaveCase>),
    CloseCase {
        id: Id,
        status: CaseStatus,
        on: NaiveDate,
        reason: String,
    },
    /// The figures of fiscal year `fiscal_year`, counted on `today`.
    LoadStats {
        fiscal_year: i32,
        today: NaiveDate,
    },
    Meeting(Box<super::meeting::MeetingEffect>),
    Quit,
}
