//! The practice of a 要対協 progress-management meeting as types and pure rules.
//!
//! Nothing in here touches files, the clock, the terminal or SQL: `today` is always a
//! parameter, so every rule can be tested with a fixed date.

pub mod action;
pub mod agency;
pub mod agenda;
pub mod attendance;
pub mod birth;
pub mod calendar;
pub mod capacity;
pub mod case;
pub mod config;
pub mod config_check;
pub mod contact;
pub mod mask;
pub mod meeting;
pub mod rank;
pub mod reply;
pub mod report_months;
pub mod school_stage;
pub mod search;
pub mod sheet;
pub mod sheet_merge;
pub mod stats;
pub mod stats_breakdown;
pub mod text;
pub mod time_of_day;
pub mod triage;
pub mod wareki;

pub use action::{Action, ActionStatus};
pub use agency::{Agency, AgencyKind};
pub use case::{AbuseType, Case, CaseStatus, CgcInvolvement, Closure, Household, Registration, ReportDesignation, Sex};
pub use config::Config;
pub use meeting::{
    AgendaItem, Attendance, AttendanceStatus, Decision, DecisionKind, ItemState, Meeting, MeetingKind, MeetingStatus,
    Session, Track,
};
pub use rank::RankScheme;
pub use sheet::AssessmentSheet;

/// Row ids as stored; kept as plain integers so they cross every layer unchanged.
pub type Id = i64;
