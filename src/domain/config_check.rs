//! The configuration checked as a whole: every problem at once (not the first), each naming
//! its key, so a town fixes its file in one go. References between parts (triage's ranks, 児相
//! codes), ranges, duplicates and coverage (a 部会 for every age and for 特定妊婦).

use super::CgcInvolvement;
use super::config::{Config, PRIVATE_FIELDS};
use super::school_stage::SchoolStage;

/// One problem: the key as written in the file (`triage.deep_ranks`, `sections[2].min_age`)
/// and what is wrong, in Japanese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub message: String,
}

fn p(key: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem { key: key.into(), message: message.into() }
}

/// Every problem of `cfg`, in the order of the file's parts; empty when it is sound.
pub fn problems(cfg: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    municipality(cfg, &mut out);
    ranks(cfg, &mut out);
    triage(cfg, &mut out);
    budget(cfg, &mut out);
    sections(cfg, &mut out);
    confidentiality(cfg, &mut out);
    sheet_items(cfg, &mut out);
    monthly_reports(cfg, &mut out);
    output(cfg, &mut out);
    closing(cfg, &mut out);
    out
}

fn closing(cfg: &Config, out: &mut Vec<Problem>) {
    let list = &cfg.closing.categories;
    if list.is_empty() {
        out.push(p("closing.categories", "終結理由区分が一つもありません（終結・移管のときに選び、統計で数えます）"));
    }
    for (i, c) in list.iter().enumerate() {
        let key = format!("closing.categories[{}]", i + 1);
        if c.trim().is_empty() {
            out.push(p(key, "終結理由区分が空です"));
        } else if c.trim() != c {
            out.push(p(key, format!("終結理由区分「{}」の前後に空白があります", c.trim())));
        } else if list[..i].contains(c) {
            out.push(p(key, format!("終結理由区分「{c}」が重複しています")));
        } else if let Err(e) = super::text::check(c, super::text::Kind::Line) {
            out.push(p(key, e.to_string()));
        }
    }
}

fn monthly_reports(cfg: &Config, out: &mut Vec<Problem>) {
    let m = &cfg.monthly_reports;
    if !(1..=31).contains(&m.deadline_day) {
        out.push(p("monthly_reports.deadline_day", "提出期限の日は 1〜31 で指定してください（翌月の何日か）"));
    }
    if !(1..=60).contains(&m.alert_days) {
        out.push(p(
            "monthly_reports.alert_days",
            "要確認とする連続欠席の日数は 1〜60 で指定してください（指針の目安は 7）",
        ));
    }
    for (key, list) in [("include", &m.include), ("exclude", &m.exclude)] {
        for (i, n) in list.iter().enumerate() {
            if n.trim().is_empty() {
                out.push(p(format!("monthly_reports.{key}[{}]", i + 1), "ケース番号が空です"));
            } else if key == "include" && m.exclude.contains(n) {
                out.push(p(
                    format!("monthly_reports.include[{}]", i + 1),
                    format!("ケース {n} が include と exclude の両方にあります"),
                ));
            }
        }
    }
}

fn output(cfg: &Config, out: &mut Vec<Problem>) {
    for (i, label) in cfg.output.approval.iter().enumerate() {
        if let Err(e) = super::text::check(label, super::text::Kind::Line) {
            out.push(p(format!("output.approval[{}]", i + 1), e.to_string()));
        }
    }
}

fn municipality(cfg: &Config, out: &mut Vec<Problem>) {
    let m = &cfg.municipality;
    for (key, v) in [("name", &m.name), ("user", &m.user), ("secretariat", &m.secretariat)] {
        if let Err(e) = super::text::check(v, super::text::Kind::Line) {
            out.push(p(format!("municipality.{key}"), e.to_string()));
        }
    }
    if m.name.trim().is_empty() {
        out.push(p("municipality.name", "自治体名が空です（出力の表題と通知に使います）"));
    }
    if m.user.trim().is_empty() {
        out.push(p("municipality.user", "監査ログに記録する利用者名が空です"));
    }
}

fn ranks(cfg: &Config, out: &mut Vec<Problem>) {
    for (name, ranks) in [("ranks", &cfg.ranks), ("expectant_ranks", &cfg.expectant_ranks)] {
        if ranks.is_empty() {
            out.push(p(name, "ランクが定義されていません。1つ以上定義してください"));
        }
        for (i, r) in ranks.iter().enumerate() {
            let key = format!("{name}[{}]", i + 1);
            if r.code.trim().is_empty() {
                out.push(p(format!("{key}.code"), "ランクのコードが空です"));
            } else if ranks[..i].iter().any(|o| o.code == r.code) {
                out.push(p(format!("{key}.code"), format!("ランク「{}」が重複しています", r.code)));
            }
            if r.review_months == 0 || r.review_months > 24 {
                out.push(p(
                    format!("{key}.review_months"),
                    format!("ランク「{}」の確認間隔は1〜24か月で指定してください", r.code),
                ));
            }
        }
    }
}

fn triage(cfg: &Config, out: &mut Vec<Problem>) {
    let t = &cfg.triage;
    for r in t.deep_ranks.iter().filter(|r| !cfg.ranks.iter().chain(&cfg.expectant_ranks).any(|d| d.code == **r)) {
        out.push(p("triage.deep_ranks", format!("ランク「{r}」は ranks にも expectant_ranks にもありません")));
    }
    for (key, codes) in [("triage.never_quick_cgc", &t.never_quick_cgc), ("triage.no_close_cgc", &t.no_close_cgc)] {
        for c in codes.iter().filter(|c| CgcInvolvement::from_code(c).is_none()) {
            let known: Vec<&str> = CgcInvolvement::ALL.iter().map(|k| k.code()).collect();
            out.push(p(key, format!("児相の関与「{c}」は不明です（{} のどれか）", known.join("・"))));
        }
    }
    let scale = |key: &str, v: u8, min: u8, out: &mut Vec<Problem>| {
        if !(min..=10).contains(&v) {
            out.push(p(format!("triage.{key}"), format!("セーフティスケールの値は{min}〜10で指定してください（{v}）")));
        }
    };
    scale("safety_scale_drop", t.safety_scale_drop, 1, out);
    scale("safety_scale_low", t.safety_scale_low, 0, out);
    scale("safety_scale_stable", t.safety_scale_stable, 0, out);
    if t.safety_scale_low >= t.safety_scale_stable {
        out.push(p("triage.safety_scale_low", "safety_scale_low は safety_scale_stable より小さくしてください"));
    }
    if !(1..=60).contains(&t.stable_months_to_close) {
        out.push(p("triage.stable_months_to_close", "終結を提案するまでの安定期間は1〜60か月で指定してください"));
    }
    if !(12..=41).contains(&t.pregnancy_review_week) {
        out.push(p(
            "triage.pregnancy_review_week",
            format!("妊娠週数は12〜41で指定してください（{}）", t.pregnancy_review_week),
        ));
    }
    if t.no_close_months_after_cgc > 36 {
        out.push(p(
            "triage.no_close_months_after_cgc",
            format!("月数は0〜36で指定してください（{}）", t.no_close_months_after_cgc),
        ));
    }
    if !(0..=365).contains(&t.transition_days) {
        out.push(p("triage.transition_days", format!("日数は0〜365で指定してください（{}）", t.transition_days)));
    }
    if !(1..=730).contains(&t.unseen_days) {
        out.push(p("triage.unseen_days", format!("目視確認の間隔は1〜730日で指定してください（{}）", t.unseen_days)));
    }
}

fn budget(cfg: &Config, out: &mut Vec<Problem>) {
    let b = &cfg.budget;
    for (key, v, min) in [
        ("quick_minutes", b.quick_minutes, 0.1),
        ("deep_minutes", b.deep_minutes, 0.1),
        ("action_review_minutes", b.action_review_minutes, 0.0),
    ] {
        if !(min..=240.0).contains(&v) {
            out.push(p(format!("budget.{key}"), format!("分数は{min}〜240で指定してください（{v}）")));
        }
    }
    if !(0..=92).contains(&b.defer_days) {
        out.push(p("budget.defer_days", format!("日数は0〜92で指定してください（{}）", b.defer_days)));
    }
    if !(1..=40).contains(&b.sessions_per_month) {
        out.push(p(
            "budget.sessions_per_month",
            format!("1か月に開ける部会の日程の数は1〜40で指定してください（{}）", b.sessions_per_month),
        ));
    }
}

fn sections(cfg: &Config, out: &mut Vec<Problem>) {
    let s = &cfg.sections;
    for (i, sec) in s.iter().enumerate() {
        let key = format!("sections[{}]", i + 1);
        if sec.code.trim().is_empty() {
            out.push(p(format!("{key}.code"), "部会のコードが空です"));
        } else if s[..i].iter().any(|o| o.code == sec.code) {
            out.push(p(format!("{key}.code"), format!("部会「{}」が重複しています", sec.code)));
        }
        if let (Some(lo), Some(hi)) = (sec.min_age, sec.max_age)
            && lo > hi
        {
            out.push(p(
                format!("{key}.min_age"),
                format!("部会「{}」の min_age（{lo}）が max_age（{hi}）より大きい", sec.code),
            ));
        }
        if !sec.stages.is_empty() && (sec.min_age.is_some() || sec.max_age.is_some()) {
            out.push(p(
                format!("{key}.stages"),
                format!(
                    "部会「{}」に stages と min_age / max_age の両方があります（どちらか一方で書いてください）",
                    sec.code
                ),
            ));
        }
        for (j, st) in sec.stages.iter().enumerate() {
            if sec.stages[..j].contains(st) {
                out.push(p(
                    format!("{key}.stages"),
                    format!("部会「{}」の stages に「{}」が重複しています", sec.code, st.label()),
                ));
            }
        }
    }
    if s.is_empty() {
        return;
    }
    if !s.iter().any(|x| x.expectant) {
        out.push(p("sections", "特定妊婦の部会がありません（どれかの部会に expectant = true を）"));
    }
    // Every child a ledger can hold (0–17 years, whatever their 就学段階) belongs somewhere.
    let uncovered: Vec<(u32, SchoolStage)> =
        children_0_to_17().filter(|(a, st)| !s.iter().any(|x| x.takes(*a, *st))).collect();
    if let (Some(first), Some(last)) = (uncovered.iter().map(|u| u.0).min(), uncovered.iter().map(|u| u.0).max()) {
        let mut stages: Vec<SchoolStage> = uncovered.iter().map(|u| u.1).collect();
        stages.sort();
        stages.dedup();
        let stages: Vec<&str> = stages.iter().map(|st| st.label()).collect();
        out.push(p(
            "sections",
            format!(
                "{first}〜{last}歳（{}）の子どもが入る部会がありません（stages か min_age / max_age を見直してください）",
                stages.join("・")
            ),
        ));
    }
}

/// (age, 就学段階) of a child born on each day of the 18 years before a fixed day: every pair a
/// 0–17-year-old can have.
fn children_0_to_17() -> impl Iterator<Item = (u32, SchoolStage)> {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("a real date");
    let mut seen = std::collections::BTreeSet::new();
    for back in 0..(18 * 366) {
        let born = day - chrono::Duration::days(back);
        if let Some(age) = day.years_since(born).filter(|a| *a < 18) {
            seen.insert((age, SchoolStage::of_year(super::case::school_year(born, day))));
        }
    }
    seen.into_iter()
}

fn confidentiality(cfg: &Config, out: &mut Vec<Problem>) {
    for f in cfg.confidentiality.private_fields.iter().filter(|f| !PRIVATE_FIELDS.contains(&f.as_str())) {
        out.push(p(
            "confidentiality.private_fields",
            format!("「{f}」は隠せる項目ではありません（{} のどれか）", PRIVATE_FIELDS.join("・")),
        ));
    }
}

fn sheet_items(cfg: &Config, out: &mut Vec<Problem>) {
    for (i, it) in cfg.sheet_items.iter().enumerate() {
        let key = format!("sheet_items[{}].key", i + 1);
        if it.key.trim().is_empty() {
            out.push(p(key, "シートの項目のキーが空です"));
        } else if cfg.sheet_items[..i].iter().any(|o| o.key == it.key) {
            out.push(p(key, format!("シートの項目「{}」が重複しています", it.key)));
        }
    }
}

/// The line of `key` in the TOML `text` (1-based), for the message: the table header of its
/// part (the n-th `[[sections]]` for `sections[n]`), then the key's own line under it.
pub fn line_of(text: &str, key: &str) -> Option<usize> {
    let (table, leaf) = match key.split_once('.') {
        // `include[2]` is on the line of `include`.
        Some((t, l)) => (t, l.split(['.', '[']).next()),
        None => (key, None),
    };
    let (name, nth) = match table.split_once('[') {
        Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()?),
        None => (table, 1),
    };
    let lines: Vec<&str> = text.lines().collect();
    let header = |l: &str| {
        let t = l.trim();
        t == format!("[{name}]") || t == format!("[[{name}]]")
    };
    let start = lines.iter().enumerate().filter(|(_, l)| header(l)).map(|(i, _)| i).nth(nth - 1)?;
    let Some(leaf) = leaf else { return Some(start + 1) };
    let end =
        lines[start + 1..].iter().position(|l| l.trim_start().starts_with('[')).map_or(lines.len(), |e| start + 1 + e);
    let found = (start + 1..end).find(|i| lines[*i].trim_start().split(['=', ' ']).next() == Some(leaf));
    Some(found.unwrap_or(start) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::config::check_closing_category;

    fn keys(text: &str) -> Vec<String> {
        let cfg: Config = toml::from_str(text).unwrap();
        problems(&cfg).into_iter().map(|p| p.key).collect()
    }

    #[test]
    fn the_defaults_are_sound() {
        assert_eq!(problems(&Config::default()), vec![]);
    }

    /// One test per mistake a town makes in its file; all are reported in one go.
    #[test]
    fn every_mistake_is_named_by_its_key() {
        let cases: [(&str, &str); 15] = [
            ("[budget]\nsessions_per_month = 0\n", "budget.sessions_per_month"),
            ("[budget]\nsessions_per_month = 41\n", "budget.sessions_per_month"),
            ("[triage]\nunseen_days = 0\n", "triage.unseen_days"),
            ("[triage]\ndeep_ranks = [\"S\"]\n", "triage.deep_ranks"),
            ("[triage]\nnever_quick_cgc = [\"jail\"]\n", "triage.never_quick_cgc"),
            ("[triage]\npregnancy_review_week = 99\n", "triage.pregnancy_review_week"),
            ("[triage]\ntransition_days = -5\n", "triage.transition_days"),
            ("[budget]\ndeep_minutes = -1.0\n", "budget.deep_minutes"),
            ("[municipality]\nname = \"\"\n", "municipality.name"),
            ("[[ranks]]\ncode = \"\"\nlabel = \"x\"\nreview_months = 3\n", "ranks[1].code"),
            (
                "[[sections]]\ncode = \"a\"\nname = \"甲\"\nexpectant = true\n[[sections]]\ncode = \"a\"\nname = \"乙\"\n",
                "sections[2].code",
            ),
            (
                "[[sections]]\ncode = \"a\"\nname = \"甲\"\nmin_age = 9\nmax_age = 3\nexpectant = true\n",
                "sections[1].min_age",
            ),
            ("[[sections]]\ncode = \"a\"\nname = \"甲\"\nmax_age = 5\n", "sections"),
            ("[confidentiality]\nprivate_fields = [\"mother\"]\n", "confidentiality.private_fields"),
            ("[triage]\nsafety_scale_low = 9\n", "triage.safety_scale_low"),
        ];
        for (text, key) in cases {
            let found = keys(text);
            assert!(found.iter().any(|k| k == key), "{text}: {found:?}");
        }
        // One file with several mistakes reports each.
        let text = "[triage]\ndeep_ranks = [\"S\"]\npregnancy_review_week = 99\n[budget]\ndeep_minutes = -1.0\n";
        assert_eq!(keys(text), ["triage.deep_ranks", "triage.pregnancy_review_week", "budget.deep_minutes"]);
    }

    #[test]
    fn monthly_report_mistakes_are_named() {
        assert_eq!(
            keys("[monthly_reports]\ndeadline_day = 0\nalert_days = 0\n"),
            ["monthly_reports.deadline_day", "monthly_reports.alert_days"]
        );
        assert_eq!(
            keys("[monthly_reports]\ninclude = [\"R6-001\"]\nexclude = [\"R6-001\"]\n"),
            ["monthly_reports.include[1]"]
        );
    }

    #[test]
    fn closing_category_mistakes_are_named() {
        assert_eq!(keys("[closing]\ncategories = []\n"), ["closing.categories"]);
        assert_eq!(
            keys("[closing]\ncategories = [\"転出\", \"\", \"転出\", \" その他\"]\n"),
            ["closing.categories[2]", "closing.categories[3]", "closing.categories[4]"]
        );
        let text = "[municipality]\nname = \"みなと市\"\n\n[closing]\ncategories = [\"転出\", \"転出\"]\n";
        let said = Config::from_toml(text).unwrap_err().to_string();
        assert!(said.contains("5行目 closing.categories[2]: 終結理由区分「転出」が重複しています"), "{said}");
        assert!(check_closing_category(&Config::default().closing.categories, " 転出 ").is_ok());
        let err = check_closing_category(&Config::default().closing.categories, "転居").unwrap_err();
        assert!(err.contains("終結理由区分「転居」は設定にありません（状態の安定・転出・"), "{err}");
    }

    #[test]
    fn stage_mistakes_are_named_and_gaps_say_which_children() {
        let sec = |body: &str| format!("[[sections]]\ncode = \"a\"\nname = \"甲\"\nexpectant = true\n{body}");
        assert_eq!(keys(&sec("stages = [\"未就学\"]\nmax_age = 5\n"))[0], "sections[1].stages");
        assert_eq!(keys(&sec("stages = [\"未就学\", \"小学生\", \"未就学\"]\n"))[0], "sections[1].stages");
        // 未就学 alone leaves every school child without a 部会.
        let cfg: Config = toml::from_str(&sec("stages = [\"未就学\"]\n")).unwrap();
        let gap = problems(&cfg).into_iter().find(|p| p.key == "sections").unwrap();
        assert_eq!(
            gap.message,
            "6〜17歳（小学生・中学生・高校生年代）の子どもが入る部会がありません（stages か min_age / max_age を見直してください）"
        );
        // 未就学 then an age bound from 6: the 6-year-olds still at nursery are covered by the first.
        let cfg: Config = toml::from_str(
            &(sec("stages = [\"未就学\"]\n") + "[[sections]]\ncode = \"b\"\nname = \"乙\"\nmin_age = 6\n"),
        )
        .unwrap();
        assert!(problems(&cfg).is_empty(), "{:?}", problems(&cfg));
        // A stage that does not exist is named in Japanese with the ones that do.
        let said = Config::from_toml(&sec("stages = [\"幼児\"]\n")).unwrap_err().to_string();
        assert!(
            said.contains("「幼児」は選べません（未就学・小学生・中学生・高校生年代・高校卒業後 のどれか）"),
            "{said}"
        );
    }

    #[test]
    fn a_key_is_found_on_its_line() {
        let text =
            "[municipality]\nname = \"x\"\n\n[[sections]]\ncode = \"a\"\n[[sections]]\ncode = \"b\"\nmin_age = 9\n";
        assert_eq!(line_of(text, "municipality.name"), Some(2));
        assert_eq!(line_of(text, "sections[2].min_age"), Some(8));
        assert_eq!(line_of(text, "sections[2].code"), Some(7));
        assert_eq!(line_of(text, "sections"), Some(4));
        assert_eq!(line_of(text, "triage.deep_ranks"), None, "not in the file: a default");
    }
}
