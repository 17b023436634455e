//! Everything that crosses the edge as a file: ledger and sheet import, templates, packets,
//! minutes, schedules, statistics. Converters are pure over domain types; the readers and
//! writers around them do the IO.

pub mod agency_actions;
pub mod agenda_doc;
pub mod document;
pub mod ledger_columns;
pub mod ledger_export;
pub mod ledger_import;
#[cfg(test)]
mod masked_outputs_tests;
pub mod minutes;
pub mod output;
pub mod packets;
pub mod problem;
pub mod reply_import;
pub mod report_import;
pub mod report_template;
pub mod schedule;
pub mod settings_file;
pub mod sheet_import;
pub mod sheet_merged;
pub mod sheet_plan;
pub mod sheet_template;
pub mod stats_out;
pub mod table_reader;
pub mod table_writer;
pub mod xlsx_parts;
