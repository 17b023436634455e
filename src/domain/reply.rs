//! 事前確認: an institution's reply to the 事務局案 of a 一括確認 item, sent back in its packet
//! (高浜町: 教育委員会, 児相 and the adviser confirm the quick track ahead, which is what makes
//! it legitimate). A reply is kept per meeting, case and institution, so rebuilding the agenda
//! does not lose it.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::Id;
use super::sheet::Written;

/// The fixed choices of the reply cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Answer {
    /// 了承: the 事務局案 stands.
    Agree,
    /// 要協議: the case needs real discussion (it moves to 重点協議).
    Discuss,
    /// 修正あり: the 事務局案 stands with the change the comment proposes.
    Amend,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Agree, Answer::Discuss, Answer::Amend];

    pub fn label(self) -> &'static str {
        match self {
            Answer::Agree => "了承",
            Answer::Discuss => "要協議",
            Answer::Amend => "修正あり",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Answer::Agree => "agree",
            Answer::Discuss => "discuss",
            Answer::Amend => "amend",
        }
    }

    pub fn from_code(code: &str) -> Option<Answer> {
        Answer::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The answer a cell holds: one of the labels, in any width, with or without spaces.
    /// Ok(None) for a blank cell (no reply yet), Err with the reason otherwise.
    pub fn parse(cell: &str) -> Result<Option<Answer>, String> {
        let t: String = cell.nfkc().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() {
            return Ok(None);
        }
        Answer::ALL
            .into_iter()
            .find(|a| a.label() == t)
            .map(Some)
            .ok_or_else(|| format!("「{t}」は選択肢にありません（{} のいずれかを選んでください）", Answer::labels()))
    }

    /// 「了承・要協議・修正あり」.
    pub fn labels() -> String {
        Answer::ALL.map(Answer::label).join("・")
    }
}

/// One institution's reply on one case of one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    pub meeting_id: Id,
    pub case_id: Id,
    pub agency_id: Id,
    pub answer: Answer,
    /// ご意見・修正 as written (required with 修正あり).
    pub comment: String,
    pub writer: String,
    #[serde(skip)]
    pub written: Written,
}

impl Reply {
    /// Why the reply is not acceptable as it stands, if it is not.
    pub fn problem(&self) -> Option<String> {
        (self.answer == Answer::Amend && self.comment.trim().is_empty())
            .then(|| "修正ありの場合は「ご意見・修正」欄に修正の内容を書いてください".to_string())
    }

    /// The 重点協議 reason a 要協議 reply gives, with who asked and why.
    pub fn deep_reason(&self, agency: &str) -> Option<String> {
        (self.answer == Answer::Discuss).then(|| {
            let why = self.comment.trim();
            if why.is_empty() {
                format!("{agency}から要協議（事前確認）")
            } else {
                format!("{agency}から要協議（事前確認）: {why}")
            }
        })
    }

    /// What the meeting screen and the minutes say of it: 「児相: 修正あり（次回確認を1月に）」.
    pub fn summary(&self, agency: &str) -> String {
        let why = self.comment.trim();
        if why.is_empty() {
            format!("{agency}: {}", self.answer.label())
        } else {
            format!("{agency}: {}（{why}）", self.answer.label())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(answer: Answer, comment: &str) -> Reply {
        Reply {
            meeting_id: 1,
            case_id: 2,
            agency_id: 3,
            answer,
            comment: comment.into(),
            writer: String::new(),
            written: Written::default(),
        }
    }

    #[test]
    fn the_cell_reads_in_any_width_and_refuses_anything_else() {
        assert_eq!(Answer::parse(" 了承 "), Ok(Some(Answer::Agree)));
        assert_eq!(Answer::parse("修正 あり"), Ok(Some(Answer::Amend)));
        assert_eq!(Answer::parse("要協議"), Ok(Some(Answer::Discuss)));
        assert_eq!(Answer::parse(""), Ok(None));
        let e = Answer::parse("OK").unwrap_err();
        assert!(e.contains("「OK」") && e.contains("了承・要協議・修正あり"), "{e}");
    }

    #[test]
    fn an_amendment_says_what_it_changes_and_a_discussion_request_says_who_asked() {
        assert!(reply(Answer::Amend, " ").problem().is_some());
        assert!(reply(Answer::Amend, "次回確認を1月に").problem().is_none());
        assert_eq!(reply(Answer::Agree, "").deep_reason("児童相談所"), None);
        assert_eq!(
            reply(Answer::Discuss, "一時保護の検討").deep_reason("児童相談所").as_deref(),
            Some("児童相談所から要協議（事前確認）: 一時保護の検討")
        );
        assert_eq!(
            reply(Answer::Amend, "次回確認を1月に").summary("教育委員会"),
            "教育委員会: 修正あり（次回確認を1月に）"
        );
    }
}
