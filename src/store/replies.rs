//! 事前確認の回答 (item_replies): what each institution answered on the 事務局案 it was sent.

use rusqlite::{OptionalExtension, Row, params};

use super::{Cached, Result, Store, StoreError, Tx, date_col};
use crate::domain::reply::{Answer, Reply};
use crate::domain::sheet::Written;
use crate::domain::{Id, MeetingStatus, Track};

pub(crate) const COLS: &str = "id, meeting_id, case_id, agency_id, answer, comment, writer, written_on, file_time";

pub(crate) fn row_reply(r: &Row<'_>) -> rusqlite::Result<(Id, Reply)> {
    let code: String = r.get(4)?;
    let answer = Answer::from_code(&code).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, format!("answer {code}").into())
    })?;
    Ok((
        r.get(0)?,
        Reply {
            meeting_id: r.get(1)?,
            case_id: r.get(2)?,
            agency_id: r.get(3)?,
            answer,
            comment: r.get(5)?,
            writer: r.get(6)?,
            written: Written { on: date_col(r.get(7)?)?, file_time: r.get(8)? },
        },
    ))
}

/// The audited fields of a reply (what `audit verify` replays).
pub(crate) fn fields(x: &Reply) -> Vec<(&'static str, String)> {
    vec![
        ("meeting_id", x.meeting_id.to_string()),
        ("case_id", x.case_id.to_string()),
        ("agency_id", x.agency_id.to_string()),
        ("answer", x.answer.code().to_string()),
        ("comment", x.comment.clone()),
        ("writer", x.writer.clone()),
        ("written_on", x.written.on.map(|d| d.to_string()).unwrap_or_default()),
        ("file_time", x.written.file_time.map(|t| t.to_string()).unwrap_or_default()),
    ]
}

/// What storing a reply did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplySaved {
    /// Stored (new, or replacing an earlier one); `to_deep` when 要協議 moved the item.
    Stored { replaced: bool, to_deep: bool },
    /// A reply of the same institution with a later 記入日 is kept.
    KeptNewer,
}

impl Store {
    /// Every reply received for `meeting_id`, by case then institution.
    pub fn replies(&self, meeting_id: Id) -> Result<Vec<Reply>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM item_replies WHERE meeting_id = ?1 ORDER BY case_id, agency_id"
        ))?;
        let rows = st.query_map([meeting_id], row_reply)?;
        Ok(rows.map(|r| r.map(|(_, x)| x)).collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

impl Tx<'_> {
    /// Stores an institution's reply on a case of a planned meeting's agenda. A reply with a
    /// later 記入日 already stored wins. 要協議 moves a 一括確認 item (with its block) to
    /// 重点協議 with `reason`, as the secretariat would by hand. Checked here, in the
    /// transaction: the meeting has not started, the case is on its agenda, the answer is whole.
    pub fn save_reply(&mut self, x: &Reply, reason: Option<&str>) -> Result<ReplySaved> {
        let m = self.meeting(x.meeting_id)?;
        if m.status != MeetingStatus::Planned {
            let when = if m.status == MeetingStatus::Closed { "終了している" } else { "始まっている" };
            return Err(StoreError::invalid(
                "事前確認",
                format!("会議 {} は{}ため、事前確認の回答は取り込めません", m.id, when),
            ));
        }
        self.ensure_meeting_writable(x.meeting_id)?;
        if let Some(p) = x.problem() {
            return Err(StoreError::invalid("ご意見・修正", p));
        }
        let Some(item) = self.items_of(x.meeting_id)?.into_iter().find(|i| i.case_id == x.case_id) else {
            return Err(StoreError::invalid("ケース番号", format!("会議 {} の議事次第にないケースです", m.id)));
        };
        let before: Option<(Id, Reply)> = self
            .tx
            .query_row(
                &format!("SELECT {COLS} FROM item_replies WHERE meeting_id = ?1 AND case_id = ?2 AND agency_id = ?3"),
                params![x.meeting_id, x.case_id, x.agency_id],
                row_reply,
            )
            .optional()?;
        if let Some((_, old)) = &before
            && old.written > x.written
        {
            return Ok(ReplySaved::KeptNewer);
        }
        let p = params![
            x.meeting_id,
            x.case_id,
            x.agency_id,
            x.answer.code(),
            x.comment,
            x.writer,
            x.written.on,
            x.written.file_time
        ];
        let id = match &before {
            Some((id, _)) => {
                let mut v: Vec<&dyn rusqlite::ToSql> = p.to_vec();
                v.push(id);
                self.tx.exec_cached(
                    "UPDATE item_replies SET meeting_id=?1, case_id=?2, agency_id=?3, answer=?4, comment=?5, writer=?6,
                     written_on=?7, file_time=?8 WHERE id = ?9",
                    v.as_slice(),
                )?;
                *id
            }
            None => {
                self.tx.exec_cached(
                    "INSERT INTO item_replies(meeting_id, case_id, agency_id, answer, comment, writer, written_on, file_time)
                     VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
                    p,
                )?;
                self.tx.last_insert_rowid()
            }
        };
        let old = before.as_ref().map(|(_, r)| fields(r)).unwrap_or_default();
        self.audit_diff("item_reply", id, &old, &fields(x))?;
        let to_deep = x.answer == Answer::Discuss && item.track == Track::Quick;
        if to_deep {
            self.set_item_track(item.id, Track::Deep)?;
        }
        if let Some(reason) = reason.filter(|_| x.answer == Answer::Discuss) {
            let mut it = self.items_of(x.meeting_id)?.into_iter().find(|i| i.id == item.id).unwrap_or(item);
            if !it.reasons.iter().any(|r| r == reason) {
                it.reasons.insert(0, reason.to_string());
                self.save_agenda_item(&it)?;
            }
        }
        Ok(ReplySaved::Stored { replaced: before.is_some(), to_deep })
    }
}
