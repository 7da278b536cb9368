//! The personal-information detector: what it finds, and the ordinary text it must leave
//! alone (times, dates, prices, helplines, `@` in sentences, abbreviations).

use super::*;

fn kinds(text: &str) -> Vec<Kind> {
    detect(text)
}

#[test]
fn uk_phone_numbers_in_their_usual_spellings() {
    for text in [
        "text me on 07700 900123",
        "07700900123",
        "ring 07700-900-123 after six",
        "my mobile is 07700 900 123.",
        "call +44 7700 900123",
        "+447700900123",
        "+44 (0)7700 900123",
        "0044 7700 900123",
        "home: 020 7946 0958",
        "(020) 7946 0958",
        "01632 960001",
        "(01632) 960 001",
        "0161 496 0000",
        "number is 07700.900.123",
        "+44 20 7946 0958",
    ] {
        assert_eq!(kinds(text), vec![Kind::Phone], "{text:?}");
    }
}

#[test]
fn international_numbers_count_too() {
    assert_eq!(kinds("whatsapp me +1 415 555 0132"), vec![Kind::Phone]);
    assert_eq!(kinds("+353 85 123 4567"), vec![Kind::Phone]);
}

#[test]
fn times_dates_prices_and_helplines_are_not_phone_numbers() {
    for text in [
        "see you at 10:30",
        "the appointment is 10.30am on 03/12/2026",
        "born 1987-04-12",
        "2026-12-03 was a good day",
        "it cost £12.50, or £1,000 for the year",
        "I walked 12000 steps",
        "Samaritans are on 116 123 any time",
        "NHS 111, or 999 in an emergency",
        "Shout: text SHOUT to 85258",
        "the helpline is 0800 123 4567",
        "NHS on 0300 123 1053",
        "my score went from 01 02 03 04 05",
        "took 2 tablets at 0800 and 2 at 2000",
        "order 0123456789012345",
        "version 1.2.3",
        "07700900123456",
        "ref07700900123",
        "3.07700900123",
        "between 07:30 and 19:30",
        "it was 50% better",
    ] {
        assert!(!kinds(text).contains(&Kind::Phone), "{text:?}");
    }
}

#[test]
fn email_addresses_plain_and_spelt_out() {
    for text in [
        "email me: jo.smith@example.org",
        "JO+kindred@mail.example.co.uk",
        "<sam_r@gmail.com>",
        "jo at gmail dot com",
        "jo [at] outlook [dot] com",
        "jo (at) yahoo (dot) co",
    ] {
        assert!(kinds(text).contains(&Kind::Email), "{text:?}");
    }
}

#[test]
fn an_at_sign_in_ordinary_text_is_not_an_email_or_a_handle() {
    for text in [
        "meet @ 5",
        "me @ home tonight",
        "see you @5pm",
        "@ 10:30 then",
        "5 @ £2 each",
        "me@home",
        "I'm at home, dot the i's",
        "@Sam thanks, that really helped",
        "@everyone good morning",
        "@@@",
        "@",
    ] {
        let k = kinds(text);
        assert!(
            !k.contains(&Kind::Email) && !k.contains(&Kind::Handle),
            "{text:?}: {k:?}"
        );
    }
}

#[test]
fn social_handles_that_look_like_another_service() {
    for text in [
        "add me @sam_r",
        "I'm @jo.smith92",
        "follow @riverwalker on instagram",
        "my insta is @riverwalker",
        "snap: @quietharbour",
        "(@sam_r)",
        "@mike1987!",
    ] {
        assert!(kinds(text).contains(&Kind::Handle), "{text:?}");
    }
}

#[test]
fn links_with_and_without_a_scheme() {
    for text in [
        "have a look at https://example.org/page",
        "http://example.com",
        "www.example.co.uk",
        "bit.ly/3abcd",
        "t.me/someone",
        "example.com/about?x=1",
        "(see kindred-support.org.uk)",
        "EXAMPLE.COM",
    ] {
        assert_eq!(kinds(text), vec![Kind::Link], "{text:?}");
    }
}

#[test]
fn abbreviations_decimals_and_missing_spaces_are_not_links() {
    for text in [
        "e.g. walking, i.e. gently",
        "I was tired.Then I slept",
        "it went from 3.5 to 4.25",
        "Mr.Smith said so",
        "version 1.2.3 is out",
        "a.m. or p.m.",
        "file.txt",
        "https://",
        "www.",
        "...",
    ] {
        assert!(!kinds(text).contains(&Kind::Link), "{text:?}");
    }
}

#[test]
fn ordinary_messages_find_nothing() {
    for text in [
        "",
        "Good morning everyone, how is everyone doing?",
        "The new inhaler is helping, I walked for 20 minutes at 9.30",
        "I see the nurse on 12/03 at 14:00 - wish me luck!",
        "Three evenings out of five, better than I expected.",
        "My peak flow was 450 today, up from 380",
        "Samaritans 116 123, Shout 85258, NHS 111 option 2",
    ] {
        assert_eq!(kinds(text), Vec::<Kind>::new(), "{text:?}");
    }
}

#[test]
fn several_kinds_are_each_reported_once_in_order() {
    assert_eq!(
        kinds("jo@example.org or 07700 900123 or 07700 900124, www.example.org, @jo_s"),
        vec![Kind::Phone, Kind::Email, Kind::Handle, Kind::Link]
    );
}

#[test]
fn the_description_names_the_kinds_and_never_the_text() {
    assert_eq!(describe(&[Kind::Phone]), "a phone number");
    assert_eq!(
        describe(&[Kind::Phone, Kind::Email, Kind::Link]),
        "a phone number, an email address or a link"
    );
    assert_eq!(describe(&[]), "contact details");
    assert_eq!(Kind::Handle.as_str(), "handle");
}

#[test]
fn display_names_that_are_contact_details_are_refused() {
    for name in [
        "07700 900123",
        "sam@example.org",
        "@sam_r",
        "sam.co.uk",
        "www.sam",
    ] {
        let problem = display_name_problem(name);
        assert_eq!(
            problem.map(|(code, _)| code),
            Some("display_name_personal_info"),
            "{name:?}"
        );
    }
    for name in [
        "Sam R",
        "quiet_harbour",
        "Jo.Smith",
        "River Walker 1987",
        "me@home",
    ] {
        assert_eq!(display_name_problem(name), None, "{name:?}");
    }
}

#[test]
fn hostile_input_is_handled_quickly() {
    let started = std::time::Instant::now();
    assert!(kinds(&"0 ".repeat(5_000)).is_empty());
    assert!(kinds(&"@".repeat(10_000)).is_empty());
    assert!(kinds(&"a.".repeat(5_000)).is_empty());
    assert!(kinds(&"+(".repeat(5_000)).is_empty());
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}
