//! 会議録: snapshots of the demo meeting's minutes (Markdown, and the text of the .docx), a
//! meeting run with every kind of outcome, and masked output that holds no name from the ledger.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::io::Read;

use chrono::NaiveDate;
use shinko::demo::{self, Scale};
use shinko::domain::{
    ActionStatus, Attendance, AttendanceStatus, CaseStatus, Config, Decision, DecisionKind, MeetingStatus,
};
use shinko::exchange::{document, minutes};
use shinko::store::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn demo_store() -> (Store, demo::DemoSummary) {
    let mut s = Store::open_in_memory().unwrap();
    let sum = demo::generate(&mut s, Scale::Takahama, 2024, today()).unwrap();
    (s, sum)
}

/// The text of a .docx part (document, header, footer): one line per paragraph.
fn docx_text(bytes: &[u8], part: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name(part).unwrap().read_to_string(&mut xml).unwrap();
    let mut out = String::new();
    for para in xml.split("</w:p>") {
        let mut line = String::new();
        let mut rest = para;
        while let Some(i) = rest.find("<w:t") {
            let after = &rest[i + 4..];
            // <w:t> or <w:t xml:space="preserve">, not <w:tbl>, <w:tc>, …
            if !(after.starts_with('>') || after.starts_with(' ')) {
                rest = after;
                continue;
            }
            let Some(open_end) = after.find('>') else { break };
            let body = &after[open_end + 1..];
            let Some(close) = body.find("</w:t>") else { break };
            line.push_str(&body[..close]);
            rest = &body[close..];
        }
        if !line.is_empty() {
            out.push_str(&unescape(&line));
            out.push('\n');
        }
    }
    out
}

/// Every part of a .docx or .xlsx (document, headers, footers, properties, shared strings),
/// as raw text: what anyone opening the zip could read.
fn every_part(bytes: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut text = String::new();
            let _ = f.read_to_string(&mut text);
            (f.name().map(|n| n.to_string()).unwrap_or_default(), unescape(&text))
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// Every string cell of the first sheet of an .xlsx.
fn xlsx_text(bytes: &[u8]) -> String {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect::<Vec<_>>().join("\n")
}

/// Runs the demo's next meeting: attendance, the review of the past meeting's open actions
/// (done, not possible, not done), a quick confirmation, a deep discussion with a rank raise,
/// a new action and a note naming the child and a sibling, and a closing.
fn run_next_meeting(s: &mut Store, sum: &demo::DemoSummary) {
    let open = s.open_actions().unwrap();
    let expected = s.meeting_agencies(sum.next_meeting).unwrap();
    let cases = s.cases(false).unwrap();
    let with_sibling =
        cases.iter().find(|c| cases.iter().any(|o| o.id != c.id && o.household_id == c.household_id)).unwrap().clone();
    let sibling =
        cases.iter().find(|o| o.id != with_sibling.id && o.household_id == with_sibling.household_id).unwrap();
    let (quick, closing) = {
        let mut others = cases.iter().filter(|c| c.household_id != with_sibling.household_id);
        (others.next().unwrap().clone(), others.next().unwrap().clone())
    };
    let next = sum.next_meeting;
    let date = s.meeting_date(next).unwrap().unwrap();
    s.set_clock(Some(date.and_hms_opt(10, 0, 0).unwrap()));
    let family = with_sibling.name.split(' ').next().unwrap().to_string();
    let sibling_given = sibling.name.split(' ').nth(1).unwrap().to_string();
    s.write(|t| {
        let mut m = t.meeting(next)?;
        m.status = MeetingStatus::InProgress;
        t.save_meeting(&m)?;
        for (i, a) in expected.iter().enumerate() {
            let status = [AttendanceStatus::Present, AttendanceStatus::Present, AttendanceStatus::InfoSent][i % 3];
            t.save_attendance(&Attendance {
                meeting_id: next,
                agency_id: *a,
                status,
                person: if status == AttendanceStatus::Present { "担当者".into() } else { String::new() },
                info_received_on: (status == AttendanceStatus::InfoSent).then_some(date - chrono::Duration::days(3)),
            })?;
        }
        for (i, a) in open.iter().take(3).enumerate() {
            let mut a = a.clone();
            a.status = [ActionStatus::Done, ActionStatus::NotPossible, ActionStatus::NotDone][i];
            a.review_note = ["", "転居により訪問できず（状況の変化）", "次回までに実施"][i].into();
            a.reviewed_in = Some(next);
            t.save_action(&a)?;
        }
        let base = |c: &shinko::domain::Case| Decision {
            id: 0,
            meeting_id: next,
            case_id: c.id,
            agenda_item_id: None,
            as_proposed: false,
            status_summary: String::new(),
            rank_before: c.rank.clone(),
            rank_after: c.rank.clone(),
            kind: DecisionKind::Continue,
            reason: String::new(),
            support_policy: c.support_policy.clone(),
            next_review: Some(date + chrono::Duration::days(91)),
            new_lead_agency: None,
            notes: String::new(),
            category: String::new(),
        };
        t.save_decision(&Decision { as_proposed: true, ..base(&quick) })?;
        t.save_decision(&Decision {
            status_summary: format!(
                "{}から欠席が続くと報告。{}さんも家事を担っている。",
                with_sibling.name, sibling_given
            ),
            rank_after: "A".into(),
            support_policy: format!("{family}家へ週1回の家庭訪問。児相と情報共有する。"),
            notes: "保護者の同意を得て医療機関と連携".into(),
            ..base(&with_sibling)
        })?;
        t.save_action(&shinko::domain::Action {
            id: 0,
            case_id: with_sibling.id,
            meeting_id: Some(next),
            agency_id: with_sibling.affiliation.or(Some(expected[0])),
            owner: "担任".into(),
            what: format!("{}の欠席状況を毎週報告する", with_sibling.name),
            due: Some(date + chrono::Duration::days(28)),
            status: ActionStatus::Open,
            review_note: String::new(),
            reviewed_in: None,
            done_on: None,
        })?;
        t.save_decision(&Decision {
            kind: DecisionKind::Close,
            reason: "状況が安定し3か月問題なし".into(),
            next_review: None,
            ..base(&closing)
        })?;
        let categories = shinko::domain::Config::default().closing.categories;
        t.close_case_as(
            closing.id,
            CaseStatus::Closed,
            date,
            "状況が安定し3か月問題なし",
            "状態の安定",
            &categories,
            Some(next),
        )?;
        Ok(())
    })
    .unwrap();
    s.set_clock(None);
}

#[test]
fn demo_meeting_minutes_in_markdown() {
    let (s, sum) = demo_store();
    let record = s.meeting_record(sum.past_meeting, false).unwrap();
    let doc = minutes::build(&record, &Config::default(), "しんこう町", false, today());
    insta::assert_snapshot!("demo_minutes_md", document::to_markdown(&doc));
}

#[test]
fn demo_meeting_minutes_docx_text_and_notice_on_every_page() {
    let (s, sum) = demo_store();
    let record = s.meeting_record(sum.past_meeting, false).unwrap();
    let cfg = Config::default();
    let bytes = document::to_docx(&minutes::build(&record, &cfg, "しんこう町", false, today())).unwrap();
    insta::assert_snapshot!("demo_minutes_docx_text", docx_text(&bytes, "word/document.xml"));
    // Header and footer repeat on every page of a Word section.
    assert!(docx_text(&bytes, "word/header1.xml").contains(&cfg.confidentiality.notice));
    assert!(docx_text(&bytes, "word/footer1.xml").contains(&cfg.confidentiality.notice));
}

#[test]
fn a_meeting_with_reviews_rank_change_actions_and_closing() {
    let (mut s, sum) = demo_store();
    run_next_meeting(&mut s, &sum);
    let record = s.meeting_record(sum.next_meeting, false).unwrap();
    let md = document::to_markdown(&minutes::build(&record, &Config::default(), "しんこう町", false, today()));
    for expected in [
        "実施済",
        "実施不可（状況変化）",
        "未実施",
        "（変更）",
        "終結",
        "状況が安定し3か月問題なし",
        "欠席状況を毎週報告する",
    ] {
        assert!(md.contains(expected), "missing {expected}");
    }
    insta::assert_snapshot!("next_meeting_minutes_md", md);
}

/// Every name, reading and name part of two or more characters in the ledger.
fn ledger_names(s: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for c in s.cases(true).unwrap() {
        for (full, min) in [(&c.name, 2), (&c.kana, 3)] {
            out.push(full.clone());
            out.push(full.replace(' ', ""));
            out.extend(full.split(' ').filter(|p| p.chars().count() >= min).map(str::to_string));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn masked_minutes_hold_no_name_from_the_ledger() {
    let (mut s, sum) = demo_store();
    run_next_meeting(&mut s, &sum);
    let names = ledger_names(&s);
    let cfg = Config::default();
    let mut concerns = 0;
    for meeting in [sum.past_meeting, sum.next_meeting] {
        let record = s.meeting_record(meeting, true).unwrap();
        let plain = document::to_markdown(&minutes::build(&record, &cfg, "しんこう町", false, today()));
        assert!(names.iter().any(|n| plain.contains(n.as_str())), "the plain minutes do name children");
        let doc = minutes::build(&record, &cfg, "しんこう町", true, today());
        let outputs = [
            ("md", document::to_markdown(&doc)),
            ("docx", docx_text(&document::to_docx(&doc).unwrap(), "word/document.xml")),
            ("xlsx", xlsx_text(&document::to_xlsx(&doc, "会議録").unwrap())),
        ];
        for (format, text) in outputs {
            for n in &names {
                assert!(!text.contains(n.as_str()), "masked {format} of meeting {meeting} holds a ledger name");
            }
            assert!(text.contains("R"), "case numbers stay");
        }
        // Every XML part of the files too: headers, footers, document properties.
        let files = [document::to_docx(&doc).unwrap(), document::to_xlsx(&doc, "会議録").unwrap()];
        for (part, text) in files.iter().flat_map(|f| every_part(f)) {
            for n in &names {
                assert!(!text.contains(n.as_str()), "{part} of meeting {meeting} holds a ledger name");
            }
        }
        // What presentation mode hides, the masked minutes leave out too (主訴 by default).
        let md = document::to_markdown(&doc);
        for id in &record.new_registrations {
            let concern = &record.cases[id].presenting_concern;
            concerns += usize::from(!concern.is_empty());
            assert!(concern.is_empty() || !md.contains(concern.as_str()), "masked minutes show a 主訴");
            assert!(concern.is_empty() || plain.contains(concern.as_str()), "the plain minutes keep it");
        }
    }
    assert!(concerns > 0, "the demo's minutes list new registrations with a 主訴");
}

/// The demo's past meeting `k` times over: every case, item, decision and action copied with
/// fresh ids, as a joint meeting of many municipalities' cases would be.
fn scaled(r: &shinko::store::reports::MeetingRecord, k: i64) -> shinko::store::reports::MeetingRecord {
    let step = 1_000_000;
    let mut out = r.clone();
    out.agenda.clear();
    out.decisions.clear();
    out.new_actions.clear();
    out.cases.clear();
    for j in 0..k {
        let o = j * step;
        out.cases.extend(r.cases.values().map(|c| (c.id + o, shinko::domain::Case { id: c.id + o, ..c.clone() })));
        out.agenda.extend(r.agenda.iter().map(|i| shinko::domain::AgendaItem {
            id: i.id + o,
            case_id: i.case_id + o,
            ..i.clone()
        }));
        out.decisions.extend(r.decisions.iter().map(|d| Decision {
            id: d.id + o,
            case_id: d.case_id + o,
            agenda_item_id: d.agenda_item_id.map(|i| i + o),
            ..d.clone()
        }));
        out.new_actions.extend(r.new_actions.iter().map(|a| shinko::domain::Action {
            id: a.id + o,
            case_id: a.case_id + o,
            ..a.clone()
        }));
    }
    out
}

/// The fastest of three builds of the minutes (document and Markdown) of `r`.
fn build_time(r: &shinko::store::reports::MeetingRecord) -> std::time::Duration {
    (0..3)
        .map(|_| {
            let start = std::time::Instant::now();
            let doc = minutes::build(r, &Config::default(), "しんこう町", false, today());
            std::hint::black_box(document::to_markdown(&doc));
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// Every item is matched to its decision and every decision to its actions by id, not by
/// searching the others: twice the meeting takes about twice the time, not four times.
#[test]
fn minutes_grow_linearly_with_the_meeting() {
    let (s, sum) = demo_store();
    let record = s.meeting_record(sum.past_meeting, false).unwrap();
    assert!(record.decisions.len() >= 50 && !record.new_actions.is_empty());
    let (small, large) = (scaled(&record, 20), scaled(&record, 40));
    assert_eq!(large.decisions.len(), 2 * small.decisions.len());
    let (t1, t2) = (build_time(&small), build_time(&large));
    assert!(t2 < t1 * 3, "{} decisions: {t1:?}, {}: {t2:?}", small.decisions.len(), large.decisions.len());
}

/// A decision note may name a child who is not on the agenda (a friend, a child of another
/// household): the masked minutes know every person in the ledger, not only the agenda's.
#[test]
fn a_child_off_the_agenda_named_in_a_decision_note_is_masked() {
    let (mut s, sum) = demo_store();
    let meeting = sum.next_meeting;
    s.start_meeting(meeting).unwrap();
    let agenda = s.agenda(meeting).unwrap();
    let on_agenda: Vec<_> = agenda.iter().map(|i| i.case_id).collect();
    let households: Vec<_> = on_agenda.iter().filter_map(|id| s.case(*id).unwrap().household_id).collect::<Vec<_>>();
    let off = s
        .cases(false)
        .unwrap()
        .into_iter()
        .find(|c| !on_agenda.contains(&c.id) && c.household_id.is_none_or(|h| !households.contains(&h)))
        .expect("a child off the agenda, in no agenda household");
    let given = off.name.split(' ').nth(1).unwrap().to_string();
    let katakana: String = off
        .kana
        .replace(' ', "")
        .chars()
        .map(|c| if ('ぁ'..='ゖ').contains(&c) { char::from_u32(c as u32 + 0x60).unwrap() } else { c })
        .collect();
    let note = format!("同級生の{}と{}くん（{katakana}）が目撃", off.name, given);
    let deep = agenda.iter().find(|i| i.track == shinko::domain::Track::Deep).unwrap();
    let case = s.case(deep.case_id).unwrap();
    let cfg = Config::default();
    let mut f = shinko::domain::meeting::live::DeepForm::from_item(deep, &case, &cfg, today());
    f.kind = DecisionKind::Continue.label().into();
    f.next_review = "2027-03-01".into();
    f.notes = note.clone();
    f.summary = format!("{}の話では落ち着いている", off.name.replace(' ', ""));
    let rec = f.check(&cfg, &case, today()).unwrap();
    s.record_item(deep.id, &rec, &cfg.closing.categories, None).unwrap();
    let record = s.meeting_record(meeting, true).unwrap();
    assert!(!record.cases.contains_key(&off.id), "the child is not in the minutes' cases");
    let plain = document::to_markdown(&minutes::build(&record, &cfg, "しんこう町", false, today()));
    assert!(plain.contains(&note), "{plain}");
    let masked = document::to_markdown(&minutes::build(&record, &cfg, "しんこう町", true, today()));
    assert!(masked.contains("同級生の〇〇と〇〇"), "{masked}");
    // A one-character given name is a name only before an honorific (as 「律くん」 above).
    let parts = off.name.split(' ').filter(|p| p.chars().count() >= 2);
    for part in parts.chain([katakana.as_str(), off.kana.as_str(), off.kana.replace(' ', "").as_str()]) {
        assert!(!masked.contains(part), "{part} leaked");
    }
    assert!(!masked.contains(&format!("{given}くん")));
}

/// A record read for plain minutes holds none of the ledger's names: masking it would blot
/// out only some, so it is refused rather than written.
#[test]
#[should_panic(expected = "meeting_record(_, true)")]
fn masked_minutes_refuse_a_record_read_without_the_ledgers_names() {
    let (s, sum) = demo_store();
    let record = s.meeting_record(sum.past_meeting, false).unwrap();
    minutes::build(&record, &Config::default(), "しんこう町", true, today());
}
