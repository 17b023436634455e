//! Everything that crosses the edge as a file: ledger and sheet import, templates, packets,
//! minutes, schedules, statistics. Converters are pure over domain types; the readers and
//! writers around them do the IO.

pub mod agenda_doc;
pub mod docx;
pub mod output;
pub mod packets;
