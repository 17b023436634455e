//! No masked output holds a name: the property test over the files (the file half of the
//! masking property test; the presentation-mode frames are in `tui::present_tests`, the
//! masker's own in `domain::mask`).

use std::collections::BTreeMap;
use std::io::Read;

use proptest::prelude::*;

use super::{agency_actions, document, minutes, packets, stats_out};
use crate::demo::masked_ledger::{self, MaskedLedger, PICKS, needles, today};
use crate::domain::mask::Masker;
use crate::domain::mask::spelling::{TEXTS, spellings};
use crate::domain::search::fold;
use crate::domain::{Config, DecisionKind, stats};

/// The ledger of the presentation test, its meeting run to the end: the second quick item's
/// 終結案 accepted (a closing), the third deep item closed and the fourth continued, then closed.
fn decided(shift: usize, picks: &[usize]) -> MaskedLedger {
    let mut l = masked_ledger::build(shift, picks);
    l.store.accept_item(&Config::default(), l.items[1], None).unwrap();
    l.record_deep(3, DecisionKind::Close);
    l.record_deep(4, DecisionKind::Continue);
    l.store.close_meeting(l.meeting).unwrap();
    l
}

/// The text of every part of a zip (.docx, .xlsx): headers, footers, docProps, shared strings,
/// sheets. Each part twice: as written (entities decoded) and without its tags, so a name split
/// over runs or cells is found too.
fn every_part(name: &str, bytes: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut text = String::new();
        let _ = f.read_to_string(&mut text);
        let part = format!("{name} {}", f.name().unwrap_or_default());
        let decoded = unescape(&text);
        out.push((format!("{part}（タグを除く）"), unescape(&strip_tags(&text))));
        out.push((part, decoded));
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

fn strip_tags(s: &str) -> String {
    s.split('<').map(|p| p.split_once('>').map_or(p, |(_, text)| text)).collect()
}

/// Every masked or shared output, by name, as the CLI writes it: the masked minutes (md, docx,
/// xlsx), each institution's masked 役割分担一覧 (csv, xlsx, reviewed actions included) and the
/// year's statistics (md, json, xlsx). Zips come as their parts.
fn outputs(l: &MaskedLedger, masked: bool) -> Vec<(String, String)> {
    let s = &l.store;
    let cfg = Config::default();
    let notice = &cfg.confidentiality.notice;
    let mut out = Vec::new();
    let record = s.meeting_record(l.meeting, masked).unwrap();
    let doc = minutes::build(&record, &cfg, "しんこう町", masked, today());
    out.push(("会議録.md".to_string(), document::to_markdown(&doc)));
    out.extend(every_part("会議録.docx", &document::to_docx(&doc).unwrap()));
    out.extend(every_part("会議録.xlsx", &document::to_xlsx(&doc, "会議録").unwrap()));

    let agencies = s.agencies().unwrap();
    let cases = s.cases(true).unwrap().into_iter().map(|c| (c.id, c)).collect::<BTreeMap<_, _>>();
    let titles = s.meetings().unwrap().into_iter().map(|m| (m.id, m.title)).collect();
    let masker = masked.then(|| Masker::for_ledger(&s.case_names().unwrap(), &cfg.confidentiality.unmasked_words));
    let opts = agency_actions::Options { include_reviewed: true, masker: masker.as_ref() };
    let lists = agency_actions::lists(&s.all_actions().unwrap(), &agencies, &cases, &titles, opts, today());
    assert!(!lists.is_empty());
    for list in &lists {
        let name = agency_actions::file_name(&list.agency, "");
        out.push((format!("{name}csv"), String::from_utf8(document::to_csv(&list.grid, notice)).unwrap()));
        let doc = agency_actions::document(list, notice, &cfg.municipality.secretariat, today(), &cfg.output);
        out.extend(every_part(&format!("{name}xlsx"), &document::to_xlsx(&doc, "役割分担").unwrap()));
    }

    let year = s.year_stats(stats::fiscal_year_of(today()), today(), &stats::Order::of(&cfg)).unwrap();
    let doc = stats_out::document(&year, "しんこう町", notice, &cfg.output);
    out.push(("年度統計.md".to_string(), document::to_markdown(&doc)));
    out.push(("年度統計.json".to_string(), stats_out::to_json(&year, "しんこう町", notice)));
    out.extend(every_part("年度統計.xlsx", &document::to_xlsx(&doc, "年度統計").unwrap()));
    out
}

/// Every part of each institution's packet (.docx, .xlsx), with the spellings it must not hold:
/// a packet names the children it is about by design (the institution works with them, and the
/// reply form's 氏名 is read back), so a spelling that folds into one of theirs is left out (a
/// demo child 山崎 in the packet spares 山﨑 alone, as the masker does), and no one else.
fn packet_parts(l: &MaskedLedger) -> Vec<(String, Vec<String>, String)> {
    let cfg = Config::default();
    let mut out = Vec::new();
    for p in packets::gather(&l.store, l.meeting, &cfg).unwrap() {
        let own = p.cases.iter().map(|c| &c.case).chain(p.actions.iter().map(|a| &a.case));
        let own: Vec<String> = own.flat_map(|c| spellings(&c.name, &c.kana, &c.name)).map(|s| fold(&s)).collect();
        let others: Vec<String> = needles().into_iter().filter(|n| !own.iter().any(|o| o.contains(&fold(n)))).collect();
        let stem = packets::file_stem(&p);
        let parts = every_part(&format!("{stem}.docx"), &packets::to_docx(&p, &cfg).unwrap())
            .into_iter()
            .chain(every_part(&format!("{stem}.xlsx"), &packets::to_xlsx(&p, &cfg).unwrap()));
        out.extend(parts.map(|(name, text)| (name, others.clone(), text)));
    }
    out
}

/// The kinds of output searched: minutes md/docx/xlsx, 役割分担一覧 csv/xlsx, statistics
/// md/json/xlsx, packets docx/xlsx.
const KINDS: usize = 10;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    /// The ledger of the presentation test (ten people: five children on the agenda and a
    /// guardian of each, with variant kanji, an IVS, a middle-dot name and one-character given
    /// names; two of them typed into each of the 15 free-text fields of each child's case, each
    /// in a random one of the person's spellings), its meeting run to decisions, two closings
    /// and its close. Every masked output of the 10 kinds (every XML part of each .docx and
    /// .xlsx, each institution's list and packet) is searched for all 129 spellings (a packet
    /// for those of everyone but its own children): 129 spellings × 15 fields × 10 kinds of
    /// output = 19,350 checks a ledger, 12 ledgers.
    #[test]
    fn no_masked_output_holds_a_name(
        (shift, picks) in masked_ledger::ledgers(),
    ) {
        let l = decided(shift, &picks);
        let needles = needles();
        for (name, text) in outputs(&l, true) {
            for n in &needles {
                prop_assert!(!text.contains(n.as_str()), "{name} holds {n}:\n{text}");
            }
        }
        for (name, others, text) in packet_parts(&l) {
            for n in &others {
                prop_assert!(!text.contains(n.as_str()), "{name} holds {n}:\n{text}");
            }
        }
    }
}

/// The test above is not vacuous and the masker does not over-mask: unmasked, the outputs name
/// the people; masked, the minutes keep the text around the names.
#[test]
fn masked_outputs_keep_the_text_around_the_names() {
    let l = decided(0, &[0; PICKS]);
    let needles = needles();
    let plain = outputs(&l, false);
    let named =
        |kind: &str| plain.iter().any(|(n, t)| n.contains(kind) && needles.iter().any(|x| t.contains(x.as_str())));
    assert!(named("会議録.md") && named("会議録.docx") && named("会議録.xlsx"), "the unmasked minutes name no one");
    assert!(named("csv") && named("役割分担_"), "the unmasked 役割分担一覧 name no one");
    let masked = outputs(&l, true);
    let md = &masked.iter().find(|(n, _)| n == "会議録.md").unwrap().1;
    assert!(md.contains("〇〇"), "{md}");
    assert!(packet_parts(&l).iter().any(|(_, _, t)| t.contains("〇〇")), "no packet masks anyone");
    for t in TEXTS {
        for part in t.split("{}").filter(|p| p.chars().count() >= 3) {
            assert!(md.contains(part), "the masked minutes lost 「{part}」:\n{md}");
        }
    }
    assert_eq!(needles.len() * masked_ledger::FIELDS.len() * KINDS, 19_350, "the count in the property test's comment");
}
