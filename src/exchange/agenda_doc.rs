//! 議事次第 for the secretariat: the full agenda of a meeting, built once as a
//! [`Document`] and rendered to Markdown or .docx by the shared renderers.

use std::collections::BTreeMap;

use super::document::{self, Block, Document, Grid};
use crate::domain::agenda::AgendaPlan;
use crate::domain::wareki::DateStyle;
use crate::domain::{AgendaItem, Case, Id, Meeting, Track};

/// What the document is made of.
pub struct AgendaDoc<'a> {
    pub meeting: &'a Meeting,
    pub plan: &'a AgendaPlan,
    pub cases: &'a BTreeMap<Id, Case>,
    pub agencies: &'a BTreeMap<Id, String>,
    /// Confidentiality notice, on every page.
    pub notice: &'a str,
    /// How dates are written (`[output] date_style`), as in the minutes.
    pub date_style: DateStyle,
}

pub fn document(doc: &AgendaDoc<'_>) -> Document {
    let p = doc.plan;
    let mut blocks = vec![Block::Fields(vec![
        ("場所".into(), doc.meeting.place.clone()),
        ("件数".into(), format!("一括確認 {}件・重点協議 {}件", p.count(Track::Quick), p.count(Track::Deep))),
    ])];
    let agency = |id: Option<Id>| id.and_then(|i| doc.agencies.get(&i).cloned()).unwrap_or_default();
    let case = |id: Id| {
        doc.cases.get(&id).map(|c| format!("{} {}", c.number, c.name)).unwrap_or_else(|| format!("ケースID {id}"))
    };
    let block_sizes: BTreeMap<i64, usize> = p.items().fold(BTreeMap::new(), |mut m, i| {
        *m.entry(i.block).or_default() += 1;
        m
    });
    let items = |items: &[AgendaItem], out: &mut Vec<Block>| {
        for track in [Track::Quick, Track::Deep] {
            let mine: Vec<&AgendaItem> = items.iter().filter(|i| i.track == track).collect();
            if mine.is_empty() {
                continue;
            }
            out.push(Block::SubHeading(format!("{}（{}件）", track.label(), mine.len())));
            let mut g = Grid::new(&[("ケース", 12), ("理由", 16), ("事務局案", 16), ("機関への質問", 14)]);
            for i in mine {
                let sib =
                    if block_sizes.get(&i.block).copied().unwrap_or(1) > 1 { "［きょうだい］" } else { "" };
                let d = &i.draft;
                let mut draft = d.policy.clone();
                if let Some(n) = d.next_review {
                    draft.push_str(&format!("（次回確認 {}）", doc.date_style.format(n)));
                }
                if let Some(r) = &d.close_reason {
                    draft.push_str(&format!("（終結案: {r}）"));
                }
                let questions: Vec<String> =
                    i.questions.iter().map(|q| format!("{}へ: {}", agency(Some(q.agency_id)), q.text)).collect();
                g.row(vec![format!("{}{sib}", case(i.case_id)), i.reasons.join("／"), draft, questions.join("\n")]);
            }
            out.push(Block::Table(g));
        }
    };
    for s in &p.sessions {
        let ss = &s.session;
        blocks.push(Block::Heading(format!(
            "{}（{} {}〜{}）",
            ss.label,
            doc.date_style.format(ss.date),
            ss.start.format("%H:%M"),
            ss.end.format("%H:%M")
        )));
        let over = if s.over_minutes > 0 { format!("・{}分超過", s.over_minutes) } else { String::new() };
        blocks.push(Block::Text(format!(
            "一括確認 {}件・重点協議 {}件／予定終了 {}{over}",
            s.quick,
            s.deep,
            s.end_label()
        )));
        if !s.action_review.is_empty() {
            blocks.push(Block::SubHeading(format!("前回の役割分担の確認（{}件）", s.action_review.len())));
            let mut g = Grid::new(&[("ケース", 12), ("内容", 20), ("機関", 12), ("期限", 8)]);
            for a in &s.action_review {
                g.row(vec![
                    case(a.case_id),
                    a.what.clone(),
                    agency(a.agency_id),
                    a.due.map(|d| doc.date_style.format(d)).unwrap_or_default(),
                ]);
            }
            blocks.push(Block::Table(g));
        }
        items(&s.items, &mut blocks);
    }
    if !p.unassigned.is_empty() {
        blocks.push(Block::Heading("日程未定".into()));
        items(&p.unassigned, &mut blocks);
    }
    Document::new(format!("{} 議事次第", doc.meeting.title), doc.notice, blocks)
}

/// The agenda as Markdown.
pub fn markdown(doc: &AgendaDoc<'_>) -> String {
    document::to_markdown(&document(doc))
}

/// The agenda as a Word document.
pub fn docx(doc: &AgendaDoc<'_>) -> Result<Vec<u8>, String> {
    document::to_docx(&document(doc)).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agenda::summarise;
    use crate::domain::meeting::{Question, SecretariatDraft};
    use crate::domain::{Config, ItemState, MeetingKind, Session};
    use chrono::{NaiveDate, NaiveTime};

    #[test]
    fn markdown_lists_sessions_tracks_drafts_and_questions() {
        let meeting = Meeting {
            id: 1,
            kind: MeetingKind::Progress,
            title: "第3回 進行管理会議".into(),
            place: "会議室A".into(),
            chair: String::new(),
            recorder: String::new(),
            status: Default::default(),
            current_item: None,
        };
        let day = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let session = Session {
            id: 7,
            meeting_id: 1,
            label: "1日目 午前".into(),
            date: day,
            start: NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
            end: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
            section: None,
            position: 0,
        };
        let item = |id: Id, track: Track| AgendaItem {
            id,
            meeting_id: 1,
            session_id: Some(7),
            case_id: id,
            block: id,
            position: id,
            track,
            reasons: vec![format!("理由{id}")],
            draft: SecretariatDraft::default(),
            questions: vec![],
            locked: false,
            state: ItemState::Pending,
            elapsed_secs: 0,
        };
        let mut quick = item(1, Track::Quick);
        quick.draft = SecretariatDraft {
            policy: "現状維持・見守り継続".into(),
            next_review: Some(NaiveDate::from_ymd_opt(2027, 3, 8).unwrap()),
            ..Default::default()
        };
        let mut deep = item(2, Track::Deep);
        deep.questions.push(Question { agency_id: 5, text: "登校状況をご説明ください".into() });
        let plan = summarise(1, &[session], vec![quick, deep], vec![], &Config::default().budget);
        let mut cases = BTreeMap::new();
        for (id, n) in [(1, "R6-001"), (2, "R6-002")] {
            let mut c = Case::blank(day);
            c.id = id;
            c.number = n.into();
            c.name = format!("氏名{id}");
            cases.insert(id, c);
        }
        let agencies: BTreeMap<Id, String> = [(5, "東小学校".to_string())].into_iter().collect();
        let doc = AgendaDoc {
            meeting: &meeting,
            plan: &plan,
            cases: &cases,
            agencies: &agencies,
            notice: "【取扱注意】",
            date_style: DateStyle::Wareki,
        };
        let md = markdown(&doc);
        assert!(md.starts_with("# 第3回 進行管理会議 議事次第\n\n> 【取扱注意】"), "{md}");
        assert!(md.contains("## 1日目 午前（令和8年12月8日 09:30〜12:00）"), "{md}");
        assert!(md.contains("一括確認 1件・重点協議 1件／予定終了 09:48"));
        assert!(md.contains("| R6-001 氏名1 | 理由1 | 現状維持・見守り継続（次回確認 令和9年3月8日） |  |"), "{md}");
        assert!(md.contains("| R6-002 氏名2 | 理由2 |  | 東小学校へ: 登校状況をご説明ください |"), "{md}");
        let bytes = docx(&doc).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
