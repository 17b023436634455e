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
    CloseCategory,
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

/// The 終結理由区分 choice of a draft that proposes no closing.
const NO_CATEGORY: &str = "（終結案なし）";

impl PrepForm {
    /// The 事務局案 of an agenda item; `ranks` are the case's ranks, `categories` the configured
    /// 終結理由区分 a closing proposal is counted under.
    pub fn draft(item: &AgendaItem, number: &str, ranks: RankScheme<'_>, categories: &[String]) -> PrepForm {
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
            Field::choice(
                K::CloseCategory,
                "終結理由区分",
                std::iter::once(NO_CATEGORY.to_string()).chain(categories.iter().cloned()).collect(),
                if d.close_category.is_empty() { NO_CATEGORY } else { &d.close_category },
            ),
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
                    close_category: f.text(K::CloseCategory).filter(|c| c != NO_CATEGORY).unwrap_or_default(),
                };
                draft.check_closing(&config.closing.categories)?;
                // A category without a closing proposal means nothing: it is not kept.
                let draft =
                    if draft.closes() { draft } else { SecretariatDraft { close_category: String::new(), ..draft } };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ItemState, Track};

    fn item(draft: SecretariatDraft) -> AgendaItem {
        AgendaItem {
            id: 7,
            meeting_id: 1,
            session_id: None,
            case_id: 3,
            block: 0,
            position: 0,
            track: Track::Quick,
            reasons: vec![],
            draft,
            questions: vec![],
            locked: false,
            state: ItemState::Pending,
            elapsed_secs: 0,
        }
    }

    /// Chooses option `index` of the category field.
    fn choose(f: &mut PrepForm, index: usize) {
        let field = f.form.fields.iter().find(|x| x.key == PrepField::CloseCategory).unwrap();
        let crate::tui::form::FieldValue::Choice { options, .. } = &field.value else { panic!("a choice") };
        f.form.set_options(PrepField::CloseCategory, options.clone(), index, str::to_string);
    }

    fn saved(f: &PrepForm, cfg: &Config) -> Result<SecretariatDraft, String> {
        match f.submit(cfg, chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap())? {
            PrepEffect::Edit { edit: AgendaEdit::Draft { draft, .. }, .. } => Ok(*draft),
            other => panic!("{other:?}"),
        }
    }

    /// The 事務局案 form asks for the 終結理由区分 of a closing proposal (from the configured
    /// ones) and keeps it with the draft; a closing without one is refused.
    #[test]
    fn a_closing_proposal_is_saved_with_its_category() {
        let cfg = Config::default();
        let cats = &cfg.closing.categories;
        let ranks = cfg.rank_scheme(crate::domain::Registration::NeedsProtection);
        let stored = SecretariatDraft {
            close_reason: Some("安定".into()),
            close_category: "状態の安定".into(),
            ..Default::default()
        };
        let mut f = PrepForm::draft(&item(stored.clone()), "R7-001", ranks, cats);
        assert_eq!(f.form.get(PrepField::CloseCategory), "状態の安定", "the stored category is chosen");
        assert_eq!(saved(&f, &cfg).unwrap().close_category, "状態の安定");
        choose(&mut f, 0);
        let err = saved(&f, &cfg).unwrap_err();
        assert!(err.starts_with("終結案の終結理由区分を選んでください"), "{err}");
        f.form.set_text(PrepField::Close, "");
        assert_eq!(saved(&f, &cfg).unwrap().close_category, "", "no closing, no category");
        let mut f = PrepForm::draft(&item(SecretariatDraft::default()), "R7-001", ranks, cats);
        f.form.set_text(PrepField::Close, "転居");
        let at = 1 + cats.iter().position(|c| c == "転出").unwrap();
        choose(&mut f, at);
        let d = saved(&f, &cfg).unwrap();
        assert_eq!((d.close_reason.as_deref(), d.close_category.as_str()), (Some("転居"), "転出"));
    }
}
