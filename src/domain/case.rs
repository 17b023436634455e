//! ケース (a registered child or expectant mother) and 世帯 (household).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Id;

/// 登録区分.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Registration {
    /// 要保護児童
    NeedsProtection,
    /// 要支援児童
    NeedsSupport,
    /// 特定妊婦
    ExpectantMother,
}

impl Registration {
    pub const ALL: [Registration; 3] =
        [Registration::NeedsProtection, Registration::NeedsSupport, Registration::ExpectantMother];

    pub fn label(self) -> &'static str {
        match self {
            Registration::NeedsProtection => "要保護児童",
            Registration::NeedsSupport => "要支援児童",
            Registration::ExpectantMother => "特定妊婦",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Registration::NeedsProtection => "要保護",
            Registration::NeedsSupport => "要支援",
            Registration::ExpectantMother => "特妊",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }

    pub fn code(self) -> &'static str {
        match self {
            Registration::NeedsProtection => "protection",
            Registration::NeedsSupport => "support",
            Registration::ExpectantMother => "expectant",
        }
    }

    /// Accepts the code, the label and the common short forms found in ledgers.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        Self::ALL.into_iter().find(|r| r.code() == t || r.label() == t || r.short() == t).or(match t {
            "要保護" | "要保護児童等" => Some(Registration::NeedsProtection),
            "要支援" => Some(Registration::NeedsSupport),
            "特定妊婦等" | "妊婦" => Some(Registration::ExpectantMother),
            _ => None,
        })
    }
}

/// 虐待種別.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum AbuseType {
    /// 身体的虐待
    Physical,
    /// ネグレクト
    Neglect,
    /// 心理的虐待
    Psychological,
    /// 性的虐待
    Sexual,
}

impl AbuseType {
    pub const ALL: [AbuseType; 4] =
        [AbuseType::Physical, AbuseType::Neglect, AbuseType::Psychological, AbuseType::Sexual];

    pub fn label(self) -> &'static str {
        match self {
            AbuseType::Physical => "身体的",
            AbuseType::Neglect => "ネグレクト",
            AbuseType::Psychological => "心理的",
            AbuseType::Sexual => "性的",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim().trim_end_matches("虐待");
        Self::ALL.into_iter().find(|a| a.label() == t).or(match t {
            "身体" => Some(AbuseType::Physical),
            "心理" => Some(AbuseType::Psychological),
            "性" => Some(AbuseType::Sexual),
            "養育放棄" => Some(AbuseType::Neglect),
            _ => None,
        })
    }

    /// Parses a list such as 「身体的・ネグレクト」 or "心理,性的".
    pub fn parse_list(s: &str) -> Result<Vec<Self>, String> {
        let mut out = Vec::new();
        for part in s.split(['・', '、', ',', '，', '/', ' ', '　']).filter(|p| !p.is_empty()) {
            match Self::parse(part) {
                Some(a) if !out.contains(&a) => out.push(a),
                Some(_) => {}
                None => return Err(format!("虐待種別「{part}」は不明です")),
            }
        }
        Ok(out)
    }

    pub fn join(list: &[Self]) -> String {
        list.iter().map(|a| a.label()).collect::<Vec<_>>().join("・")
    }
}

/// 児童相談所の関与.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum CgcInvolvement {
    /// なし
    #[default]
    None,
    /// 児相と情報共有・協議中
    Consultation,
    /// 児童福祉司指導等
    Guidance,
    /// 一時保護中
    TemporaryCustody,
    /// 施設入所・里親委託等の措置中
    Placement,
    /// 措置解除・家庭復帰後
    ReturnedHome,
}

impl CgcInvolvement {
    pub fn code(self) -> &'static str {
        match self {
            CgcInvolvement::None => "none",
            CgcInvolvement::Consultation => "consultation",
            CgcInvolvement::Guidance => "guidance",
            CgcInvolvement::TemporaryCustody => "custody",
            CgcInvolvement::Placement => "placement",
            CgcInvolvement::ReturnedHome => "returned",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }

    pub const ALL: [CgcInvolvement; 6] = [
        CgcInvolvement::None,
        CgcInvolvement::Consultation,
        CgcInvolvement::Guidance,
        CgcInvolvement::TemporaryCustody,
        CgcInvolvement::Placement,
        CgcInvolvement::ReturnedHome,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CgcInvolvement::None => "なし",
            CgcInvolvement::Consultation => "情報共有",
            CgcInvolvement::Guidance => "児童福祉司指導",
            CgcInvolvement::TemporaryCustody => "一時保護",
            CgcInvolvement::Placement => "措置中",
            CgcInvolvement::ReturnedHome => "家庭復帰",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        if t.is_empty() || t == "-" || t == "－" {
            return Some(CgcInvolvement::None);
        }
        Self::ALL.into_iter().find(|c| c.label() == t).or_else(|| Self::from_code(t)).or(match t {
            "無" | "無し" => Some(CgcInvolvement::None),
            "有" | "協議中" | "共有" => Some(CgcInvolvement::Consultation),
            "指導" | "児童福祉司指導中" => Some(CgcInvolvement::Guidance),
            "一時保護中" => Some(CgcInvolvement::TemporaryCustody),
            "措置" | "施設入所" | "里親委託" => Some(CgcInvolvement::Placement),
            "措置解除" | "家庭復帰後" => Some(CgcInvolvement::ReturnedHome),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReportDesignation {
    /// 既定: the configured rule decides (registered children attending an institution).
    #[default]
    Default,
    /// 対象: reported on monthly whatever the rule says (the child still needs an institution).
    On,
    /// 対象外: never reported on (the institution already visits weekly…).
    Off,
}

impl ReportDesignation {
    pub const ALL: [ReportDesignation; 3] = [ReportDesignation::Default, ReportDesignation::On, ReportDesignation::Off];

    pub fn code(self) -> &'static str {
        match self {
            ReportDesignation::Default => "default",
            ReportDesignation::On => "on",
            ReportDesignation::Off => "off",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            ReportDesignation::Default => "既定",
            ReportDesignation::On => "対象",
            ReportDesignation::Off => "対象外",
        }
    }
    /// As the case detail says it: 「対象」, 「対象外」, or for the default what it comes to
    /// (「既定（対象）」); `designated` is [`super::attendance::is_designated`]'s answer.
    pub fn describe(self, designated: bool) -> String {
        match self {
            ReportDesignation::Default => format!("既定（{}）", if designated { "対象" } else { "対象外" }),
            other => other.label().to_string(),
        }
    }
    /// The three words, the codes, and ○/× (「○」 = 対象, 「×」 = 対象外; empty = 既定).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "" | "既定" | "default" | "-" => Some(ReportDesignation::Default),
            "対象" | "on" | "○" | "〇" | "◯" => Some(ReportDesignation::On),
            "対象外" | "off" | "×" | "✕" | "x" | "X" => Some(ReportDesignation::Off),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Sex {
    #[default]
    Unknown,
    Male,
    Female,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Unknown => "",
            Sex::Male => "m",
            Sex::Female => "f",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [Sex::Unknown, Sex::Male, Sex::Female].into_iter().find(|x| x.code() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Sex::Unknown => "",
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "" | "-" | "不明" => Some(Sex::Unknown),
            "男" | "男性" | "M" | "m" => Some(Sex::Male),
            "女" | "女性" | "F" | "f" => Some(Sex::Female),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum CaseStatus {
    /// 継続中
    #[default]
    Open,
    /// 終結
    Closed,
    /// 移管・転出
    Transferred,
}

impl CaseStatus {
    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Closed => "closed",
            CaseStatus::Transferred => "transferred",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [CaseStatus::Open, CaseStatus::Closed, CaseStatus::Transferred].into_iter().find(|x| x.code() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Open => "継続",
            CaseStatus::Closed => "終結",
            CaseStatus::Transferred => "移管",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "" | "継続" | "継続中" | "支援中" => Some(CaseStatus::Open),
            "終結" | "終了" => Some(CaseStatus::Closed),
            "移管" | "転出" | "移管・転出" => Some(CaseStatus::Transferred),
            _ => None,
        }
    }
}

/// 終結 (or 移管・転出): why, when, and which meeting agreed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub on: NaiveDate,
    pub reason: String,
    pub meeting_id: Option<Id>,
    /// 終結理由区分 (one of the configured `closing_categories`); empty when none was chosen
    /// (closings recorded before categories, or in a meeting): statistics then derive one.
    #[serde(default)]
    pub category: String,
}

/// School year for a child born on `birth` (see [`Case::school_year_on`]).
pub fn school_year(birth: NaiveDate, today: NaiveDate) -> i32 {
    use chrono::Datelike;
    let fiscal = super::calendar::fiscal_year_of(today);
    let cohort = if (birth.month(), birth.day()) >= (4, 2) { birth.year() } else { birth.year() - 1 };
    fiscal - cohort - 6
}

/// 世帯. Siblings share one; the agenda keeps a household's cases together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Household {
    pub id: Id,
    /// 世帯名 (usually the guardian's family name)
    pub name: String,
    /// 町名
    pub town: String,
    pub note: String,
}

/// One registered case in the 進行管理台帳.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: Id,
    /// ケース番号, unique in the ledger (e.g. "R6-012")
    pub number: String,
    /// 氏名
    pub name: String,
    /// ふりがな
    pub kana: String,
    pub sex: Sex,
    /// 生年月日 (None for an unborn child)
    pub birth_date: Option<NaiveDate>,
    /// 出産予定日 (特定妊婦)
    pub due_date: Option<NaiveDate>,
    pub household_id: Option<Id>,
    /// 町名
    pub town: String,
    /// 受理日
    pub accepted_on: NaiveDate,
    /// 主訴
    pub presenting_concern: String,
    pub registration: Registration,
    pub abuse_types: Vec<AbuseType>,
    /// Rank code from the configured `RankScheme`
    pub rank: String,
    /// 主担当機関
    pub lead_agency: Option<Id>,
    /// 主たる援助者
    pub key_worker: String,
    /// 所属機関 (school, nursery, …)
    pub affiliation: Option<Id>,
    /// 学年・クラス
    pub grade: String,
    pub cgc: CgcInvolvement,
    /// 援助方針
    pub support_policy: String,
    pub last_review: Option<NaiveDate>,
    pub next_review: Option<NaiveDate>,
    pub status: CaseStatus,
    pub closure: Option<Closure>,
    /// The earlier, closed case this re-referral follows (再受理)
    pub previous_case: Option<Id>,
    /// 備考 (the remarks column of a town's own ledger)
    #[serde(default)]
    pub notes: String,
    /// 保護者・同居人, one per line as 「続柄：氏名（ふりがな）」 (see [`Case::people`]).
    #[serde(default)]
    pub people: String,
    /// 月次報告（定期的な情報提供）の対象: 既定 follows the configured rule, 対象/対象外 override it
    /// (see [`crate::domain::attendance::is_designated`]).
    #[serde(default)]
    pub monthly_report: ReportDesignation,
    /// How many times the stored case was written when this copy was read (0 for a new one).
    /// Saving a copy whose version is no longer the stored one is refused: someone else
    /// changed the case in between.
    #[serde(default)]
    pub version: i64,
}

/// A guardian or someone living with the child (保護者・同居人).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// 続柄 (母, 父, 祖母, 母の交際相手…); may be empty.
    pub relation: String,
    pub name: String,
    pub kana: String,
}

/// 続柄 read before a name without a colon when a space follows (「母 山田花子」). Written
/// together (「母花子」) they are not split: 姉崎, 祖父江 are family names.
const RELATIONS: [&str; 24] = [
    "母",
    "父",
    "祖母",
    "祖父",
    "兄",
    "姉",
    "弟",
    "妹",
    "継母",
    "継父",
    "養母",
    "養父",
    "実母",
    "実父",
    "叔母",
    "叔父",
    "伯母",
    "伯父",
    "おば",
    "おじ",
    "同居人",
    "内縁の夫",
    "内縁の妻",
    "母の交際相手",
];

/// 「続柄：氏名（ふりがな）」 per line; 続柄 and ふりがな may be left out (「山田 花子」,
/// 「母：山田 花子」, 「母:山田 花子(やまだ はなこ)」), and the colon too when a space follows a
/// known 続柄 (「母 山田花子」, 「同居人　佐藤 一郎」). A line without a name is refused, naming it.
pub fn parse_people(text: &str) -> Result<Vec<Person>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let (relation, rest) = match line.split_once(['：', ':']) {
            Some((r, rest)) => (r.trim(), rest.trim()),
            None => match line.trim().split_once([' ', '\u{3000}']) {
                Some((r, rest)) if RELATIONS.contains(&r) && !rest.trim().is_empty() => (r, rest.trim()),
                _ => ("", line.trim()),
            },
        };
        let (name, kana) = match rest.split_once(['（', '(']) {
            Some((name, k)) => (name.trim(), k.trim_end().trim_end_matches(['）', ')']).trim()),
            None => (rest, ""),
        };
        if name.is_empty() {
            return Err(format!("{}行目: 氏名がありません（「続柄：氏名（ふりがな）」の形で書いてください）", n + 1));
        }
        out.push(Person { relation: relation.into(), name: name.into(), kana: kana.into() });
    }
    Ok(out)
}

impl Case {
    /// 保護者・同居人 as written (lines that cannot be read are left out; saving refuses them).
    pub fn people(&self) -> Vec<Person> {
        parse_people(&self.people).unwrap_or_default()
    }

    /// A blank case for forms and importers; every required field still has to be filled.
    pub fn blank(accepted_on: NaiveDate) -> Self {
        Case {
            id: 0,
            number: String::new(),
            name: String::new(),
            kana: String::new(),
            sex: Sex::Unknown,
            birth_date: None,
            due_date: None,
            household_id: None,
            town: String::new(),
            accepted_on,
            presenting_concern: String::new(),
            registration: Registration::NeedsSupport,
            abuse_types: Vec::new(),
            rank: String::new(),
            lead_agency: None,
            key_worker: String::new(),
            affiliation: None,
            grade: String::new(),
            cgc: CgcInvolvement::None,
            support_policy: String::new(),
            last_review: None,
            next_review: None,
            status: CaseStatus::Open,
            closure: None,
            previous_case: None,
            notes: String::new(),
            people: String::new(),
            monthly_report: ReportDesignation::Default,
            version: 0,
        }
    }

    pub fn is_open(&self) -> bool {
        self.status == CaseStatus::Open
    }

    /// Age in whole years on `today`, if born.
    pub fn age_on(&self, today: NaiveDate) -> Option<u32> {
        let b = self.birth_date?;
        today.years_since(b)
    }

    /// Weeks of pregnancy on `today` for an expectant mother, from the due date (40 weeks).
    pub fn pregnancy_weeks_on(&self, today: NaiveDate) -> Option<i64> {
        if self.registration != Registration::ExpectantMother {
            return None;
        }
        let due = self.due_date?;
        Some((280 - (due - today).num_days()).div_euclid(7))
    }

    /// School year on `today` (Japanese cohorts run 2 April – 1 April): 1–6 = 小1–小6,
    /// 7–9 = 中1–中3, 10–12 = 高1–高3; 0 or less = before primary school (0 = 年長).
    pub fn school_year_on(&self, today: NaiveDate) -> Option<i32> {
        let b = self.birth_date?;
        Some(school_year(b, today))
    }

    pub fn review_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.next_review.is_some_and(|d| d < today)
    }

    /// Checks the rules every stored case must satisfy; messages are Japanese and name the field.
    pub fn validate(&self) -> Result<(), Vec<(&'static str, String)>> {
        let mut errs = Vec::new();
        if self.number.trim().is_empty() {
            errs.push(("ケース番号", "ケース番号が空です".to_string()));
        }
        if self.name.trim().is_empty() {
            errs.push(("氏名", "氏名が空です".to_string()));
        }
        if self.registration == Registration::ExpectantMother {
            if self.due_date.is_none() && self.birth_date.is_none() {
                errs.push(("出産予定日", "特定妊婦には出産予定日が必要です".to_string()));
            }
        } else if self.birth_date.is_none() {
            errs.push(("生年月日", "生年月日が空です".to_string()));
        }
        if let Some(b) = self.birth_date
            && b > self.accepted_on
            && self.registration != Registration::ExpectantMother
        {
            errs.push(("受理日", "受理日が生年月日より前です".to_string()));
        }
        if self.status != CaseStatus::Open && self.closure.as_ref().is_none_or(|c| c.reason.trim().is_empty()) {
            errs.push(("終結理由", "終結・移管には理由が必要です".to_string()));
        }
        use super::text::Kind::{Line, Text};
        errs.extend(super::text::check_fields(&[
            ("ケース番号", &self.number, Line),
            ("氏名", &self.name, Line),
            ("ふりがな", &self.kana, Line),
            ("町名", &self.town, Line),
            ("主訴", &self.presenting_concern, Text),
            ("ランク", &self.rank, Line),
            ("主たる援助者", &self.key_worker, Line),
            ("学年・クラス", &self.grade, Line),
            ("援助方針", &self.support_policy, Text),
            ("終結理由", self.closure.as_ref().map_or("", |c| c.reason.as_str()), Text),
            ("備考", &self.notes, Text),
            ("保護者・同居人", &self.people, Text),
        ]));
        if let Err(e) = parse_people(&self.people) {
            errs.push(("保護者・同居人", e));
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn people_are_read_as_typed_and_a_line_without_a_name_is_named() {
        let p = parse_people("母：山田 花子（やまだ はなこ）\n\n祖母:山田 トメ\n同居人 佐藤 一郎(さとう いちろう)")
            .unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(
            (p[0].relation.as_str(), p[0].name.as_str(), p[0].kana.as_str()),
            ("母", "山田 花子", "やまだ はなこ")
        );
        assert_eq!((p[1].relation.as_str(), p[1].kana.as_str()), ("祖母", ""));
        assert_eq!(
            (p[2].relation.as_str(), p[2].name.as_str(), p[2].kana.as_str()),
            ("同居人", "佐藤 一郎", "さとう いちろう")
        );
        // A 続柄 without the colon is read when a space follows; a family name that starts
        // like one (姉崎, 祖父江) is not split.
        let p = parse_people("母　山田花子\n姉崎 美咲\n祖父江 健\n母の交際相手 田中 翔").unwrap();
        let got: Vec<(&str, &str)> = p.iter().map(|x| (x.relation.as_str(), x.name.as_str())).collect();
        assert_eq!(got, [("母", "山田花子"), ("", "姉崎 美咲"), ("", "祖父江 健"), ("母の交際相手", "田中 翔")]);
        assert_eq!(
            parse_people("母：山田 花子\n父：").unwrap_err(),
            "2行目: 氏名がありません（「続柄：氏名（ふりがな）」の形で書いてください）"
        );
    }

    #[test]
    fn parses_registration_variants() {
        assert_eq!(Registration::parse("要保護児童"), Some(Registration::NeedsProtection));
        assert_eq!(Registration::parse("特妊"), Some(Registration::ExpectantMother));
        assert_eq!(Registration::parse(" 要支援 "), Some(Registration::NeedsSupport));
        assert_eq!(Registration::parse("その他"), None);
    }

    #[test]
    fn parses_abuse_type_lists() {
        assert_eq!(
            AbuseType::parse_list("身体的虐待・ネグレクト").unwrap(),
            vec![AbuseType::Physical, AbuseType::Neglect]
        );
        assert!(AbuseType::parse_list("経済的").is_err());
        assert_eq!(AbuseType::parse_list("").unwrap(), vec![]);
    }

    #[test]
    fn closing_needs_a_reason() {
        let mut c = Case::blank(d(2024, 4, 1));
        c.number = "R6-001".into();
        c.name = "山田 太郎".into();
        c.birth_date = Some(d(2015, 5, 5));
        assert!(c.validate().is_ok());
        c.status = CaseStatus::Closed;
        let errs = c.validate().unwrap_err();
        assert_eq!(errs[0].0, "終結理由");
    }

    #[test]
    fn school_year_follows_april_cohorts() {
        let today = d(2026, 11, 24);
        assert_eq!(school_year(d(2020, 4, 2), today), 0); // 年長
        assert_eq!(school_year(d(2020, 4, 1), today), 1); // 早生まれ: 小1
        assert_eq!(school_year(d(2014, 5, 1), today), 6);
        assert_eq!(school_year(d(2014, 5, 1), d(2027, 4, 1)), 7); // 中1 from April
    }

    #[test]
    fn age_and_pregnancy_weeks() {
        let mut c = Case::blank(d(2024, 4, 1));
        c.birth_date = Some(d(2015, 5, 5));
        assert_eq!(c.age_on(d(2025, 5, 4)), Some(9));
        assert_eq!(c.age_on(d(2025, 5, 5)), Some(10));
        c.registration = Registration::ExpectantMother;
        c.due_date = Some(d(2026, 3, 1));
        // 12 weeks before the due date is 28w0d (7 months)
        assert_eq!(c.pregnancy_weeks_on(d(2025, 12, 7)), Some(28));
        assert_eq!(c.pregnancy_weeks_on(d(2025, 12, 6)), Some(27));
    }
}
