//! The preparation screen's forms: the 事務局案 of an item, a question to an institution, and
//! the folder for the pre-send packets.

use super::{AgendaEdit, PrepEffect};
use crate::domain::meeting::{Question, SecretariatDraft};
use crate::domain::{AgendaItem, Config, Id, RankScheme};
use crate::tui::form::{Field, Form, date_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrepField {
    Summary,
    Policy,
    Rank,
    NextReview,
    Close,
    Agency,
    Question,
    OutDir,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PrepFormKind {
    /// 事務局案 of an agenda item (the item as loaded; the draft is replaced).
    Draft { item: Box<AgendaItem>, number: String },
    /// A question to one of the institutions involved in an agenda item's case.
    Ask { item: Id, number: String, agencies: Vec<(Id, String)> },
    /// Where to write the pre-send packets of a meeting.
    Packets { meeting: Id },
}

#[derive(Debug, Clone)]
pub struct PrepForm {
    pub kind: PrepFormKind,
    pub form: Form<PrepField>,
}

/// The rank choice that keeps the current rank.
const UNCHANGED: &str = "（変更なし）";

impl PrepForm {
    /// The 事務局案 of an agenda item; `ranks` are the case's ranks.
    pub fn draft(item: &AgendaItem, number: &str, ranks: RankScheme<'_>) -> PrepForm {
        use PrepField as K;
        let d = &item.draft;
        let mut rank_options = vec![UNCHANGED.to_string()];
        rank_options.extend(ranks.ranks().iter().map(|r| r.code.clone()));
        let fields = vec![
            Field::multi(K::Summary, "状況", &d.summary, "状況（Enter で改行）"),
            Field::multi(K::Policy, "援助方針", &d.policy, "援助方針（Enter で改行）"),
            Field::choice(K::Rank, "ランク", rank_options, d.rank.as_deref().unwrap_or(UNCHANGED))
                .showing(|o| if o == UNCHANGED { o.to_string() } else { ranks.describe(o) }),
            Field::text(K::NextReview, "次回確認日", false, &date_text(d.next_review)),
            Field::text(K::Close, "終結案（理由）", false, d.close_reason.as_deref().unwrap_or("")),
        ];
        PrepForm {
            kind: PrepFormKind::Draft { item: Box::new(item.clone()), number: number.to_string() },
            form: Form::new(format!("ケース {number} の事務局案"), fields),
        }
    }

    /// A question to an institution; `agencies` are the case's involved ones (id, name).
    pub fn ask(item: Id, number: &str, agencies: Vec<(Id, String)>) -> PrepForm {
        let names = agencies.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>();
        let fields = vec![
            Field::choice_at(PrepField::Agency, "機関", names, 0),
            Field::text(PrepField::Question, "説明してほしいこと", true, ""),
        ];
        PrepForm {
            kind: PrepFormKind::Ask { item, number: number.to_string(), agencies },
            form: Form::new(format!("ケース {number} について機関への質問"), fields),
        }
    }

    /// The folder for a meeting's packets, proposed as `dir`.
    pub fn packets(meeting: Id, dir: &str) -> PrepForm {
        PrepForm {
            kind: PrepFormKind::Packets { meeting },
            form: Form::new("事前送付資料の出力", vec![Field::text(PrepField::OutDir, "出力先フォルダ", true, dir)]),
        }
    }

    /// The effect that stores the form, or the Japanese reason it cannot.
    pub fn submit(&self, config: &Config, today: chrono::NaiveDate) -> Result<PrepEffect, String> {
        use PrepField as K;
        let f = &self.form;
        match &self.kind {
            PrepFormKind::Draft { item, number } => {
                let draft = SecretariatDraft {
                    summary: f.get(K::Summary).trim_end().to_string(),
                    policy: f.get(K::Policy).trim_end().to_string(),
                    rank: f.text(K::Rank).filter(|r| r != UNCHANGED),
                    next_review: f.date_near(K::NextReview, "次回確認日", today)?,
                    close_reason: f.text(K::Close),
                };
                Ok(PrepEffect::Edit {
                    edit: AgendaEdit::Draft {
                        id: item.id,
                        draft: Box::new(draft),
                        based_on: Box::new(item.draft.clone()),
                    },
                    message: format!("ケース {number} の事務局案を保存しました"),
                    select: item.id,
                })
            }
            PrepFormKind::Ask { item, number, agencies } => {
                let (agency_id, name) =
                    f.chosen(K::Agency).and_then(|i| agencies.get(i)).cloned().ok_or("機関: 選んでください")?;
                let question = Question { agency_id, text: f.get(K::Question).trim().to_string() };
                Ok(PrepEffect::Edit {
                    edit: AgendaEdit::Ask(*item, question),
                    message: format!("ケース {number} について「{name}」への質問を加えました"),
                    select: *item,
                })
            }
            PrepFormKind::Packets { meeting } => Ok(PrepEffect::ExportPackets {
                meeting: *meeting,
                dir: std::path::PathBuf::from(f.get(K::OutDir).trim()),
                config: Box::new(config.clone()),
            }),
        }
    }
}
