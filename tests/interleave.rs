//! Two writers on one database file, their reads and saves interleaved in every order proptest
//! finds: a save based on a read that is no longer current is refused (`Stale`) and changes
//! nothing; no save is ever lost or half applied; and afterwards the audit chain verifies and
//! the log explains every row. PROPTEST_CASES sets the number of interleavings (default 48).
#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use shinko::domain::{Case, Registration, wareki};
use shinko::store::{Store, StoreError};

const CASES: usize = 2;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48)
}

#[derive(Debug, Clone)]
enum Step {
    /// The writer (re)reads a case, as opening a form does.
    Read { writer: usize, case: usize },
    /// The writer changes one field of what it read and saves it.
    Save { writer: usize, case: usize, field: usize, value: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..2usize, 0..CASES).prop_map(|(writer, case)| Step::Read { writer, case }),
        (0..2usize, 0..CASES, 0..3usize, 0..3usize).prop_map(|(writer, case, field, value)| Step::Save {
            writer,
            case,
            field,
            value
        }),
    ]
}

/// The fields the writers change, as the model keeps them.
type Fields = [String; 3];

fn fields_of(c: &Case) -> Fields {
    [c.rank.clone(), c.support_policy.clone(), c.town.clone()]
}

fn set(c: &mut Case, field: usize, value: usize) {
    match field {
        0 => c.rank = ["A", "B", "C"][value].into(),
        1 => c.support_policy = format!("方針 {value}"),
        _ => c.town = format!("{value}丁目"),
    }
}

fn new_case(i: usize) -> Case {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let mut c = Case::blank(today);
    c.number = format!("I-{i:03}");
    c.name = format!("試験 {i}");
    c.birth_date = Some(wareki::parse_date("2018-04-02").unwrap());
    c.registration = Registration::NeedsSupport;
    c.rank = "C".into();
    c
}

/// The model: each case's stored fields and how many saves changed it.
struct Model {
    stored: Vec<(Fields, u32)>,
}

fn run(steps: &[Step]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("i.db");
    let mut writers = [Store::open(&db, None).unwrap(), Store::open(&db, None).unwrap()];
    let observer = Store::open(&db, None).unwrap();
    let ids: Vec<_> = (0..CASES).map(|i| writers[0].write(|t| t.save_case(&new_case(i))).unwrap()).collect();
    let mut model = Model { stored: ids.iter().map(|id| (fields_of(&observer.case(*id).unwrap()), 0)).collect() };
    // What each writer read last (the case and the number of changes it had then).
    let mut held: [Vec<Option<(Case, u32)>>; 2] = [vec![None; CASES], vec![None; CASES]];
    for s in steps {
        match *s {
            Step::Read { writer, case } => {
                let c = writers[writer].case(ids[case]).unwrap();
                held[writer][case] = Some((c, model.stored[case].1));
            }
            Step::Save { writer, case, field, value } => {
                let Some((mut c, seen)) = held[writer][case].clone() else { continue };
                set(&mut c, field, value);
                let result = writers[writer].write(|t| t.save_case(&c));
                let (stored, changes) = model.stored[case].clone();
                let ours = fields_of(&c);
                if ours == stored {
                    prop_assert!(result.is_ok(), "saving what is stored is no change: {result:?}");
                } else if seen == changes {
                    prop_assert!(result.is_ok(), "a save based on the current read goes through: {result:?}");
                    model.stored[case] = (ours, changes + 1);
                    // A form reloads what it saved.
                    held[writer][case] = Some((writers[writer].case(ids[case]).unwrap(), changes + 1));
                } else {
                    prop_assert!(
                        matches!(result, Err(StoreError::Stale { .. })),
                        "a save based on an older read is refused: {result:?}"
                    );
                }
            }
        }
        for (i, id) in ids.iter().enumerate() {
            prop_assert_eq!(&fields_of(&observer.case(*id).unwrap()), &model.stored[i].0, "case {} after {:?}", i, s);
        }
    }
    prop_assert!(observer.audit_verify().unwrap().is_ok());
    let data = observer.audit_explains_data().unwrap();
    prop_assert!(data.is_clean(), "{:?}", data.unexplained);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(cases()) })]

    #[test]
    fn two_writers_never_lose_or_revert_each_others_saves(steps in prop::collection::vec(step(), 1..40)) {
        run(&steps)?;
    }
}
