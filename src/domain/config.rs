//! Municipal configuration (TOML). Everything that differs between towns lives here, with
//! defaults modelled on the 高浜町 and 府中市 practice.

use serde::{Deserialize, Serialize};

use super::rank::{RankDef, RankScheme};
use super::school_stage::SchoolStage;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub municipality: Municipality,
    /// ランク for children (要保護・要支援), most urgent first.
    pub ranks: Vec<RankDef>,
    /// ランク for 特定妊婦 (府中市: A–D), most urgent first.
    pub expectant_ranks: Vec<RankDef>,
    pub triage: Triage,
    pub budget: Budget,
    /// 部会
    pub sections: Vec<SectionDef>,
    pub confidentiality: Confidentiality,
    pub calendar: CalendarConfig,
    /// Items on the assessment sheet (虐待防止進行管理アセスメントシート).
    pub sheet_items: Vec<SheetItem>,
    /// 定期的な情報提供: monthly reports from the institutions.
    pub monthly_reports: MonthlyReports,
    pub output: OutputConfig,
    /// 終結・移管の扱い: the 終結理由区分 the statistics count.
    pub closing: Closing,
}

/// 終結理由区分: chosen when a case is closed or transferred (ledger or meeting); the yearly
/// statistics count these and never the free-text reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Closing {
    /// In report order.
    pub categories: Vec<String>,
}

impl Default for Closing {
    fn default() -> Self {
        Closing {
            categories: ["状態の安定", "転出", "年齢到達", "児相へ送致・措置", "その他"].map(String::from).to_vec(),
        }
    }
}

impl Closing {
    /// The category a closing for lasting stability is counted under (「状態の安定」), when
    /// configured: triage proposes it with its 終結案. None: the secretariat chooses one.
    pub fn stable_category(&self) -> Option<&str> {
        self.categories.iter().map(String::as_str).find(|c| *c == STABLE)
    }
}

/// The default category of a closing for lasting stability.
const STABLE: &str = "状態の安定";

/// The statistics' label for closings recorded before 終結理由区分 existed (no category).
pub const NO_CATEGORY: &str = "（区分なし）";

/// `category` (trimmed) when it is one of the configured `categories`, else the Japanese
/// refusal naming them. One rule for the CLI, the screens and the store.
pub fn check_closing_category<'a>(categories: &[String], category: &'a str) -> Result<&'a str, String> {
    let k = category.trim();
    if k.is_empty() {
        return Err(format!("終結理由区分を選んでください（{} のどれか）", categories.join("・")));
    }
    if !categories.iter().any(|c| c == k) {
        return Err(format!("終結理由区分「{k}」は設定にありません（{} のどれか）", categories.join("・")));
    }
    Ok(k)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Municipality {
    pub name: String,
    /// Name recorded in the audit log as the one who made a change.
    pub user: String,
    /// 調整機関 (the secretariat's own section name)
    pub secretariat: String,
}

impl Default for Municipality {
    fn default() -> Self {
        Municipality {
            name: "しんこう町".into(), user: "事務局".into(), secretariat: "こども家庭センター".into()
        }
    }
}

/// Thresholds for the quick/deep split (一括確認 / 重点協議).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Triage {
    /// Ranks that always go to deep discussion.
    pub deep_ranks: Vec<String>,
    /// A fall of at least this much on the safety scale since the previous period is deep.
    pub safety_scale_drop: u8,
    /// A safety scale at or below this is deep.
    pub safety_scale_low: u8,
    /// Stable for this many months (no ticks, scale steady) → propose closing.
    pub stable_months_to_close: u32,
    /// Safety scale at or above this counts as stable.
    pub safety_scale_stable: u8,
    /// Pregnancy week from which a 特定妊婦 is re-assessed (府中市: 7 months ≈ week 28).
    pub pregnancy_review_week: i64,
    /// Days before an expected school transition or move that make a case deep.
    pub transition_days: i64,
    /// 児相 involvement (codes) under which a case is never 一括確認 (一時保護中, 措置中).
    pub never_quick_cgc: Vec<String>,
    /// 児相 involvement (codes) under which no 終結案 is proposed, however stable the sheets.
    pub no_close_cgc: Vec<String>,
    /// Nor within this many months after such an involvement ended (a child back home from
    /// 一時保護 is watched before the case is closed).
    pub no_close_months_after_cgc: u32,
    /// A child attending no institution with no sheet since the last meeting goes deep
    /// (「所属機関からの情報がなく、直近の目視確認がない」).
    pub unseen_is_deep: bool,
    /// A child seen by nobody (no contact with 目視確認, no sheet) for more than this many days
    /// is "unseen": the triage rule above and the ledger's filter 目視確認なし.
    pub unseen_days: i64,
    /// A household is discussed together: when one child is 重点協議, the siblings are too.
    /// A city may keep a sibling whose own review is clear in 一括確認 (still beside the others).
    pub household_deep: bool,
}

impl Default for Triage {
    fn default() -> Self {
        Triage {
            deep_ranks: vec!["A".into()],
            safety_scale_drop: 2,
            safety_scale_low: 3,
            stable_months_to_close: 3,
            safety_scale_stable: 8,
            pregnancy_review_week: 28,
            transition_days: 90,
            never_quick_cgc: vec!["custody".into(), "placement".into()],
            no_close_cgc: ["consultation", "guidance", "custody", "placement", "returned"].map(String::from).to_vec(),
            no_close_months_after_cgc: 6,
            unseen_is_deep: true,
            unseen_days: 90,
            household_deep: true,
        }
    }
}

/// Minutes per agenda item, used to split the agenda into sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Budget {
    pub quick_minutes: f64,
    pub deep_minutes: f64,
    /// Minutes reserved at the start of each session for the review of open actions.
    pub action_review_minutes: f64,
    /// When the sessions cannot hold the agenda, a review may move to a later meeting within its
    /// rank's review interval of the review date, and at least this many days (capacity proposal).
    pub defer_days: i64,
    /// The most sessions a 部会 can hold in a month: the capacity proposal says how many a
    /// month it needs and how many 重点協議 that many sessions hold.
    pub sessions_per_month: u32,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            quick_minutes: 1.2,
            deep_minutes: 7.0,
            action_review_minutes: 10.0,
            defer_days: 31,
            sessions_per_month: 4,
        }
    }
}

/// 部会: which cases belong where (府中市: 乳幼児会, 児童生徒会, 全体会).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    pub code: String,
    pub name: String,
    /// 就学段階 that belong here (未就学, 小学生, 中学生, 高校生年代, 高校卒業後), by birth cohort;
    /// when given, ages are not used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<SchoolStage>,
    /// Youngest age (years) that belongs here; None = no lower bound.
    #[serde(default)]
    pub min_age: Option<u32>,
    /// Oldest age (years) that belongs here; None = no upper bound.
    #[serde(default)]
    pub max_age: Option<u32>,
    /// Whether 特定妊婦 belong here.
    #[serde(default)]
    pub expectant: bool,
    /// Schools attend this section.
    #[serde(default)]
    pub schools_attend: bool,
}

impl SectionDef {
    /// Whether a child of `age` in `stage` belongs here (its stages when it names any, else its
    /// ages). Expectant mothers are placed by `expectant` alone.
    pub fn takes(&self, age: u32, stage: SchoolStage) -> bool {
        if self.stages.is_empty() {
            self.min_age.is_none_or(|m| age >= m) && self.max_age.is_none_or(|m| age <= m)
        } else {
            self.stages.contains(&stage)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Confidentiality {
    /// Notice printed on every exported page.
    pub notice: String,
    /// Fields hidden in presentation mode (case field names).
    pub private_fields: Vec<String>,
    /// Start the meeting screen in presentation mode.
    pub present_by_default: bool,
    /// Blank the screen after this many minutes without a key (0 = never).
    pub idle_lock_minutes: u32,
    /// Common words that happen to be a name part (「希望」「大和」「光」): the masker leaves
    /// them as they are when they stand alone; full names are still masked.
    pub unmasked_words: Vec<String>,
}

impl Default for Confidentiality {
    fn default() -> Self {
        Confidentiality {
            notice: "【取扱注意】要保護児童対策地域協議会の秘密情報です。児童福祉法第25条の5により守秘義務があります。目的外の利用・複製・転送を禁じます。".into(),
            private_fields: vec![
                "presenting_concern".into(),
                "town".into(),
                "birth_date".into(),
                "key_worker".into(),
            ],
            present_by_default: false,
            idle_lock_minutes: 10,
            unmasked_words: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarConfig {
    /// 年末年始 12/29–1/3 counts as closed.
    pub year_end_closure: bool,
    /// Extra closed days (YYYY-MM-DD), e.g. town holidays.
    pub closed_days: Vec<chrono::NaiveDate>,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        CalendarConfig { year_end_closure: true, closed_days: Vec::new() }
    }
}

/// 定期的な情報提供 (the national guideline's monthly reports): who is reported on, when the
/// reports are due, and the long absence that raises an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonthlyReports {
    /// Every open child attending an institution (school, nursery) is reported on.
    pub designate_attending: bool,
    /// Case numbers reported on besides (an expectant mother's older child's nursery…).
    pub include: Vec<String>,
    /// Case numbers never reported on (the institution already visits weekly…).
    pub exclude: Vec<String>,
    /// Day of the following month by which a month's reports are due.
    pub deadline_day: u32,
    /// Consecutive business days absent without a credible reason that raise an alert (the
    /// guideline's mark: 7, holidays excluded).
    pub alert_days: u32,
}

impl Default for MonthlyReports {
    fn default() -> Self {
        MonthlyReports {
            designate_attending: true,
            include: Vec::new(),
            exclude: Vec::new(),
            deadline_day: 10,
            alert_days: 7,
        }
    }
}

/// How documents are written (minutes, statistics, lists).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct OutputConfig {
    /// 日付の書き方: "wareki"（令和8年9月1日）or "seireki"（2026年9月1日）.
    pub date_style: super::wareki::DateStyle,
    /// 決裁欄 on the minutes, its boxes left to right (e.g. ["課長", "係長", "担当"]); empty = none.
    pub approval: Vec<String>,
    /// Paper for wide Excel sheets: "a4" or "a3".
    pub paper: Paper,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
pub enum Paper {
    #[default]
    A4,
    A3,
}

impl TryFrom<String> for Paper {
    type Error = String;

    /// 「A4」「Ａ３」 as well as "a4".
    fn try_from(s: String) -> Result<Self, String> {
        choose("paper", &s, &[(&["a4"], Paper::A4), (&["a3"], Paper::A3)], "\"a4\" か \"a3\"")
    }
}

/// A setting's value among `options` (each with the spellings people use, in lower case), read
/// whatever its width or case; else a Japanese refusal ending in `hint`.
pub fn choose<T: Copy>(key: &str, s: &str, options: &[(&[&str], T)], hint: &str) -> Result<T, String> {
    use unicode_normalization::UnicodeNormalization;
    let t = s.trim().nfkc().collect::<String>().to_lowercase();
    options
        .iter()
        .find(|(names, _)| names.contains(&t.as_str()))
        .map(|(_, v)| *v)
        .ok_or_else(|| format!("{key} の「{s}」は使えません。{hint}を指定してください"))
}

/// One item on the assessment sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetItem {
    pub key: String,
    pub label: String,
    pub kind: SheetItemKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetItemKind {
    /// A tick (該当あり) on a direct abuse-related question.
    Check,
    /// Free text (what the institution did, worries, strengths).
    Text,
}

impl Default for Config {
    fn default() -> Self {
        let r = |code: &str, label: &str, months: u32| RankDef {
            code: code.into(),
            label: label.into(),
            review_months: months,
        };
        let s = |code: &str, name: &str, stages: &[SchoolStage], exp: bool, sch: bool| SectionDef {
            code: code.into(),
            name: name.into(),
            stages: stages.to_vec(),
            min_age: None,
            max_age: None,
            expectant: exp,
            schools_attend: sch,
        };
        let c = |key: &str, label: &str| SheetItem { key: key.into(), label: label.into(), kind: SheetItemKind::Check };
        let t = |key: &str, label: &str| SheetItem { key: key.into(), label: label.into(), kind: SheetItemKind::Text };
        Config {
            municipality: Municipality::default(),
            ranks: vec![
                r("A", "A 重度（一時保護等の検討）", 1),
                r("B", "B 中度（積極的支援）", 3),
                r("C", "C 軽度（見守り支援）", 3),
                r("D", "D 見守り（終結検討）", 6),
            ],
            expectant_ranks: vec![
                r("A", "A 特定妊婦", 1),
                r("B", "B 妊娠中見守り", 2),
                r("C", "C 新生児訪問時注意", 3),
                r("D", "D 通常支援", 3),
            ],
            triage: Triage::default(),
            budget: Budget::default(),
            sections: vec![
                s("infant", "乳幼児会", &[SchoolStage::Preschool], true, false),
                s("school", "児童生徒会", &SchoolStage::ALL[1..], false, true),
            ],
            confidentiality: Confidentiality::default(),
            calendar: CalendarConfig::default(),
            sheet_items: vec![
                c("absence", "欠席・遅刻・早退が目立つ"),
                c("injury", "不自然なけが・あざ・やけどがある"),
                c("hygiene", "衣服・身体が不潔、食事が不十分"),
                c("statement", "家庭での暴力・放置についての本人の訴えがある"),
                c("fear", "保護者を怖がる・帰宅を嫌がる"),
                c("guardian", "保護者と連絡が取れない・関わりを拒む"),
                c("change", "前回から生活・家族状況に変化がある"),
                t("actions", "この3か月に所属機関が対応したこと"),
                t("worries", "気になること"),
                t("strengths", "良い変化・強み"),
            ],
            monthly_reports: MonthlyReports::default(),
            output: OutputConfig::default(),
            closing: Closing::default(),
        }
    }
}

/// The case fields presentation mode and the masked outputs can hide.
pub const PRIVATE_FIELDS: [&str; 4] = ["presenting_concern", "town", "birth_date", "key_worker"];

/// serde's English for a TOML mistake, in Japanese (the key names stay as written).
fn japanese(message: &str) -> String {
    let quoted = |m: &str| m.split('`').nth(1).unwrap_or("").to_string();
    if message.starts_with("unknown field") {
        let expected: Vec<&str> =
            message.split("expected ").nth(1).unwrap_or("").split('`').skip(1).step_by(2).collect();
        format!("不明な項目「{}」です（書ける項目: {}）", quoted(message), expected.join("・"))
    } else if message.starts_with("missing field") {
        format!("必須の項目「{}」がありません", quoted(message))
    } else if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        format!("値の種類が違います（{found} ではなく {expected} を書いてください）")
    } else if message.starts_with("invalid value") {
        format!("値が正しくありません（{message}）")
    } else if message.starts_with("unknown variant") {
        let expected: Vec<&str> =
            message.split("expected ").nth(1).unwrap_or("").split('`').skip(1).step_by(2).collect();
        format!("「{}」は選べません（{} のどれか）", quoted(message), expected.join("・"))
    } else if !message.is_ascii() {
        // Already said in Japanese (a value's own check, e.g. [output] date_style).
        message.to_string()
    } else {
        format!("TOML として読めません（{message}）")
    }
}

/// A configuration that could not be read; names the line so the user can fix the file.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("設定ファイル {line}行目: {message}")]
    Syntax { line: usize, message: String },
    #[error("設定ファイル: {0}")]
    Invalid(String),
}

impl Config {
    /// Parses TOML text; missing sections take their defaults.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1).unwrap_or(1);
            ConfigError::Syntax { line, message: japanese(e.message().trim()) }
        })?;
        let problems = super::config_check::problems(&cfg);
        if problems.is_empty() {
            return Ok(cfg);
        }
        let lines: Vec<String> = problems
            .iter()
            .map(|p| match super::config_check::line_of(text, &p.key) {
                Some(n) => format!("  {n}行目 {}: {}", p.key, p.message),
                None => format!("  {}: {}", p.key, p.message),
            })
            .collect();
        Err(ConfigError::Invalid(format!("{} 件の問題があります\n{}", problems.len(), lines.join("\n"))))
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("config always serialises")
    }

    pub fn rank_scheme(&self, registration: super::Registration) -> RankScheme<'_> {
        if registration == super::Registration::ExpectantMother {
            RankScheme::new(&self.expectant_ranks)
        } else {
            RankScheme::new(&self.ranks)
        }
    }

    pub fn business_calendar(&self) -> super::calendar::BusinessCalendar {
        super::calendar::BusinessCalendar::new(
            self.calendar.year_end_closure,
            self.calendar.closed_days.iter().copied(),
        )
    }

    /// The 部会 a case belongs to on `today`, by 就学段階 or age, and registration (first match
    /// wins).
    pub fn section_for(&self, case: &super::Case, today: chrono::NaiveDate) -> Option<&SectionDef> {
        match (case.age_on(today), SchoolStage::of(case, today)) {
            (Some(age), Some(stage)) => self.sections.iter().find(|s| s.takes(age, stage)),
            _ => self.sections.iter().find(|s| s.expectant),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_toml() {
        let cfg = Config::default();
        let text = cfg.to_toml();
        assert_eq!(Config::from_toml(&text).unwrap(), cfg);
    }

    #[test]
    fn empty_file_means_defaults() {
        assert_eq!(Config::from_toml("").unwrap(), Config::default());
    }

    #[test]
    fn syntax_error_names_the_line() {
        let text = "[municipality]\nname = \"高浜町\"\nuser = \n";
        match Config::from_toml(text).unwrap_err() {
            ConfigError::Syntax { line, .. } => assert_eq!(line, 3),
            e => panic!("unexpected {e:?}"),
        }
    }

    #[test]
    fn unknown_key_is_an_error_with_line() {
        let text = "[triage]\nsafety_scale_drop = 3\nsafty_scale_low = 2\n";
        let err = Config::from_toml(text).unwrap_err();
        assert!(matches!(err, ConfigError::Syntax { line: 3, .. }), "{err:?}");
        let said = err.to_string();
        assert!(said.contains("不明な項目「safty_scale_low」です（書ける項目: deep_ranks・"), "{said}");
        assert!(!said.contains("unknown field"), "{said}");
    }

    #[test]
    fn every_problem_is_listed_with_its_line() {
        let text = "[municipality]\nname = \"みなと市\"\n[triage]\ndeep_ranks = [\"S\"]\npregnancy_review_week = 99\n";
        let said = Config::from_toml(text).unwrap_err().to_string();
        assert!(said.contains("2 件の問題があります"), "{said}");
        assert!(said.contains("4行目 triage.deep_ranks: ランク「S」は"), "{said}");
        assert!(said.contains("5行目 triage.pregnancy_review_week"), "{said}");
    }

    #[test]
    fn sessions_per_month_out_of_range_names_its_line_in_japanese() {
        let text = "[municipality]\nname = \"みなと市\"\n[budget]\nquick_minutes = 1.5\nsessions_per_month = 0\n";
        let said = Config::from_toml(text).unwrap_err().to_string();
        assert!(said.contains("5行目 budget.sessions_per_month: 1か月に開ける部会の日程の数は1〜40"), "{said}");
        let said = Config::from_toml("[budget]\nsessions_per_month = -2\n").unwrap_err().to_string();
        assert!(said.contains("設定ファイル 2行目"), "{said}");
        assert_eq!(Config::from_toml("[budget]\nsessions_per_month = 40\n").unwrap().budget.sessions_per_month, 40);
        assert_eq!(Config::default().budget.sessions_per_month, 4);
    }

    #[test]
    fn a_six_year_old_at_nursery_stays_in_the_infant_section() {
        let cfg = Config::default();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let mut c = super::super::Case::blank(day);
        c.registration = super::super::Registration::NeedsSupport;
        c.birth_date = chrono::NaiveDate::from_ymd_opt(2020, 5, 10);
        assert_eq!(c.age_on(day), Some(6));
        assert_eq!(cfg.section_for(&c, day).map(|s| s.name.as_str()), Some("乳幼児会"), "年長: 未就学");
        c.birth_date = chrono::NaiveDate::from_ymd_opt(2020, 3, 10);
        assert_eq!(cfg.section_for(&c, day).map(|s| s.name.as_str()), Some("児童生徒会"), "小1");
        c.birth_date = chrono::NaiveDate::from_ymd_opt(2007, 3, 10);
        assert_eq!(cfg.section_for(&c, day).map(|s| s.name.as_str()), Some("児童生徒会"), "高校卒業後");
        c.registration = super::super::Registration::ExpectantMother;
        assert_eq!(cfg.section_for(&c, day).map(|s| s.name.as_str()), Some("乳幼児会"));
    }

    #[test]
    fn duplicate_rank_is_rejected() {
        let text = "[[ranks]]\ncode=\"A\"\nlabel=\"A\"\nreview_months=1\n[[ranks]]\ncode=\"A\"\nlabel=\"A2\"\nreview_months=2\n";
        assert!(matches!(Config::from_toml(text), Err(ConfigError::Invalid(_))));
    }
}
