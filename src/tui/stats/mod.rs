//! 年度統計: the statistics screen's state, messages, effects and pure update: which fiscal year
//! is shown, and its figures once loaded (the same `Store::year_stats` the `shinko stats`
//! command prints).

pub mod view;

use chrono::NaiveDate;

use super::keymap::Command;
use super::screen::{Ctx, Out};
use crate::domain::stats::{self, YearStats};
use crate::store::{Store, StoreError};

#[derive(Debug, Clone)]
pub enum StatsMsg {
    Key(Option<Command>),
    /// The figures of one fiscal year.
    Loaded(Box<YearStats>),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatsEffect {
    /// The figures of fiscal year `fiscal_year`, counted on `today`.
    /// `order`: the configured order of 終結理由区分 and ranks.
    Load { fiscal_year: i32, today: NaiveDate, order: stats::Order },
}

#[derive(Debug, Clone, Default)]
pub struct StatsState {
    /// The fiscal year shown (2025 = 令和7年度); None until the screen is first opened.
    pub fiscal_year: Option<i32>,
    pub data: Option<YearStats>,
    /// The configured order of 終結理由区分 and ranks (from the configuration when the screen
    /// is opened).
    pub order: stats::Order,
}

/// The statistics screen's pure update.
pub fn update(s: &mut StatsState, cx: &Ctx<'_>, out: &mut Out, msg: StatsMsg) -> Vec<StatsEffect> {
    match msg {
        StatsMsg::Key(Some(Command::Quit)) => {
            out.quit();
            vec![]
        }
        StatsMsg::Key(action) => s.on_action(action, cx.today),
        StatsMsg::Loaded(data) => {
            s.loaded(*data);
            vec![]
        }
        StatsMsg::Failed(text) => {
            out.error(text);
            vec![]
        }
    }
}

/// Runs the screen's one effect against the store.
pub fn execute(store: &Store, e: StatsEffect) -> Result<StatsMsg, StoreError> {
    match e {
        StatsEffect::Load { fiscal_year, today, order } => {
            store.year_stats(fiscal_year, today, &order).map(|s| StatsMsg::Loaded(Box::new(s)))
        }
    }
}

impl StatsState {
    /// Opening the screen: this fiscal year the first time, then the one last shown.
    /// `order`: the configured 終結理由区分 and ranks the figures are counted by.
    pub fn enter(&mut self, today: NaiveDate, order: &stats::Order) -> Vec<StatsEffect> {
        let fy = *self.fiscal_year.get_or_insert_with(|| stats::fiscal_year_of(today));
        self.order = order.clone();
        vec![self.load(fy, today)]
    }

    fn load(&self, fiscal_year: i32, today: NaiveDate) -> StatsEffect {
        StatsEffect::Load { fiscal_year, today, order: self.order.clone() }
    }

    /// What to read again after another writer's commit.
    pub fn refresh(&self, today: NaiveDate) -> Vec<StatsEffect> {
        match (self.fiscal_year, &self.data) {
            (Some(fiscal_year), Some(_)) => vec![self.load(fiscal_year, today)],
            _ => vec![],
        }
    }

    /// Figures for a year arrive; a late answer for a year no longer shown is dropped.
    pub fn loaded(&mut self, data: YearStats) {
        if self.fiscal_year == Some(data.fiscal_year) {
            self.data = Some(data);
        }
    }

    fn on_action(&mut self, action: Option<Command>, today: NaiveDate) -> Vec<StatsEffect> {
        let step = match action {
            Some(Command::PrevYear) => -1,
            Some(Command::NextYear) => 1,
            _ => return vec![],
        };
        let current = self.fiscal_year.unwrap_or_else(|| stats::fiscal_year_of(today));
        // Not past the current year: a future year has nothing to count.
        let fy = (current + step).min(stats::fiscal_year_of(today));
        if Some(fy) == self.fiscal_year {
            return vec![];
        }
        self.fiscal_year = Some(fy);
        vec![self.load(fy, today)]
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::super::keymap::Keymap;
    use super::super::model::{Model, Screen};
    use super::super::msg::{Effect, Msg};
    use super::super::tests::{pump, today};
    use super::*;
    use crate::demo::{self, Scale};
    use crate::domain::Config;
    use crate::store::Store;

    fn key(code: KeyCode, mods: KeyModifiers) -> Msg {
        Msg::Key(KeyEvent::new(code, mods))
    }

    fn stats_screen(w: u16, h: u16) -> (Store, Model) {
        let mut store = Store::open_in_memory().unwrap();
        demo::generate(&mut store, Scale::Takahama, 2024, today()).unwrap();
        let mut m = Model::new(Config::default(), today(), Keymap::defaults(), "demo.db".into());
        pump(&mut store, &mut m, Msg::Resize(w, h));
        pump(&mut store, &mut m, key(KeyCode::Char('4'), KeyModifiers::ALT));
        (store, m)
    }

    #[test]
    fn opening_the_screen_loads_this_fiscal_year() {
        let (_s, m) = stats_screen(80, 24);
        assert_eq!(m.screen, Screen::Stats);
        assert_eq!(m.stats.fiscal_year, Some(2026));
        let data = m.stats.data.as_ref().unwrap();
        assert_eq!(data.meetings.len(), 1, "the demo's past meeting");
    }

    #[test]
    fn left_and_right_change_the_year_but_not_into_the_future() {
        let (mut s, mut m) = stats_screen(80, 24);
        let effects = pump(&mut s, &mut m, key(KeyCode::Left, KeyModifiers::NONE));
        assert_eq!(
            effects,
            vec![Effect::Stats(StatsEffect::Load {
                fiscal_year: 2025,
                today: today(),
                order: stats::Order::of(&m.config)
            })]
        );
        assert_eq!(m.stats.data.as_ref().unwrap().fiscal_year, 2025);
        assert!(m.stats.data.as_ref().unwrap().meetings.is_empty());
        pump(&mut s, &mut m, key(KeyCode::Right, KeyModifiers::NONE));
        assert!(pump(&mut s, &mut m, key(KeyCode::Right, KeyModifiers::NONE)).is_empty());
        assert_eq!(m.stats.fiscal_year, Some(2026));
        // A late answer for another year is dropped.
        let old = s.year_stats(2024, today(), &stats::Order::default()).unwrap();
        pump(&mut s, &mut m, Msg::Stats(StatsMsg::Loaded(Box::new(old))));
        assert_eq!(m.stats.data.as_ref().unwrap().fiscal_year, 2026);
    }

    #[test]
    fn a_failed_load_is_told_and_the_year_shown_stays() {
        use crate::tui::screen_tests::{ctx, run};
        let config = Config::default();
        let cx = ctx(&config, &[]);
        let mut st = StatsState::default();
        let load = |fiscal_year| StatsEffect::Load { fiscal_year, today: today(), order: stats::Order::of(&config) };
        let effects = st.enter(today(), &stats::Order::of(&config));
        assert_eq!(effects, vec![load(2026)]);
        let (effects, out) = run(&mut st, &cx, StatsMsg::Failed("集計できません".into()), update);
        assert!(effects.is_empty() && st.data.is_none());
        assert!(out.status.is_some_and(|s| s.error && s.text == "集計できません"));
        let (effects, _) = run(&mut st, &cx, StatsMsg::Key(Some(Command::PrevYear)), update);
        assert_eq!(effects, vec![load(2025)], "the user can try another year");
    }
}
