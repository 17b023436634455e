//! The contact form from the case detail: opened in one key, typed, saved through the store,
//! and shown in the detail; refused where the store refuses.

use ratatui::crossterm::event::KeyCode;

use super::tests::{buffer_text, demo_at, draw, key, pump, today, typ};
use crate::domain::contact::ContactKind;

#[test]
fn a_contact_is_added_from_the_case_detail_in_a_few_keys() {
    let (mut s, mut m) = demo_at(100, 30);
    let case_id = m.ledger.selected_id().unwrap();
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, key(KeyCode::F(8)));
    assert!(m.ledger.contact.is_some(), "F8 opens the contact form from the detail");
    insta::assert_snapshot!("contact_form_100x30", buffer_text(draw(&m).backend().buffer()));
    // 種別 → 面接, 目視確認 → はい, a Japanese note; F10 saves.
    pump(&mut s, &mut m, key(KeyCode::Tab));
    pump(&mut s, &mut m, key(KeyCode::Right));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    pump(&mut s, &mut m, key(KeyCode::Right));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "母子と面談。表情は明るい");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(m.ledger.contact.is_none(), "saved: {:?}", m.ledger.contact.as_ref().map(|f| f.form.error.clone()));
    let got = s.contacts_of_case(case_id).unwrap();
    let first = &got[0];
    assert_eq!((first.date, first.kind, first.seen), (today(), ContactKind::Interview, true));
    assert_eq!(first.note, "母子と面談。表情は明るい");
    let text = buffer_text(draw(&m).backend().buffer());
    assert!(text.contains("経過記録を追加しました"), "{text}");
    assert!(text.contains("R8.11.24 面接"), "the detail lists it: {text}");
}

#[test]
fn a_future_date_is_refused_and_the_form_stays_open() {
    let (mut s, mut m) = demo_at(100, 30);
    let case_id = m.ledger.selected_id().unwrap();
    let before = s.contacts_of_case(case_id).unwrap().len();
    pump(&mut s, &mut m, key(KeyCode::Char('c')));
    let f = m.ledger.contact.as_mut().expect("c opens the contact form from the table");
    f.form.set_text(crate::tui::ledger::ContactField::Date, "2026-12-01");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    let error = m.ledger.contact.as_ref().and_then(|f| f.form.error.clone()).expect("refused in the form");
    assert!(error.contains("今日（2026-11-24）より後"), "{error}");
    assert_eq!(s.contacts_of_case(case_id).unwrap().len(), before, "nothing stored");
}

#[test]
fn an_unregistered_agency_is_refused_not_registered() {
    let (mut s, mut m) = demo_at(100, 30);
    let agencies = s.agencies().unwrap().len();
    pump(&mut s, &mut m, key(KeyCode::Char('c')));
    let f = m.ledger.contact.as_mut().unwrap();
    f.form.set_text(crate::tui::ledger::ContactField::Agency, "架空の相談所");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    let error = m.ledger.contact.as_ref().and_then(|f| f.form.error.clone()).expect("refused in the form");
    assert!(error.contains("登録されていません"), "{error}");
    assert_eq!(s.agencies().unwrap().len(), agencies, "a second F10 does not register it");
}
