//! Crisis signposting (SAFE-SG-3): the UK help lines shown privately to a writer whose message
//! matched the crisis detector, and in the "not a crisis service" banner (SAFE-SG-5).
//!
//! This file is the one source of the numbers. The snapshot tests below (T33) fail on any
//! change until the CSO approves the new text, so edit the tables and the snapshots together.
//! Urgent NHS lines differ by nation, so the list is chosen by [`Region`].
//!
//! It must not decide who sees the text: the caller sends it to the writer alone.

/// One place to get help.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct Resource {
    /// Who answers: "Samaritans".
    pub name: String,
    /// What to do, with the number: "call 116 123".
    pub contact: String,
    /// When to use it and when it is open.
    pub detail: String,
}

/// The UK nation whose urgent lines are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    England,
    Scotland,
    Wales,
    NorthernIreland,
}

impl Region {
    /// `"england"`, `"scotland"`, `"wales"` or `"northern_ireland"`; anything else is None.
    pub fn parse(s: &str) -> Option<Region> {
        match s {
            "england" => Some(Region::England),
            "scotland" => Some(Region::Scotland),
            "wales" => Some(Region::Wales),
            "northern_ireland" => Some(Region::NorthernIreland),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Region::England => "england",
            Region::Scotland => "scotland",
            Region::Wales => "wales",
            Region::NorthernIreland => "northern_ireland",
        }
    }
}

/// Shown with the resources, to the writer only.
pub const NOTICE: &str = "Only you can see this message. It sounds like things might be really hard right now, and you don't have to face this alone. Kindred is a peer support community, not a crisis service. If you are in danger, or thinking about harming yourself or ending your life, please reach out now:";

/// (name, contact, detail)
type Line = (&'static str, &'static str, &'static str);

const EMERGENCY: Line = (
    "Emergency services",
    "call 999",
    "If your life or someone else's is at risk right now. You can also go to A&E.",
);

const SAMARITANS: Line = (
    "Samaritans",
    "call 116 123",
    "Free, 24 hours a day, 7 days a week. Talk about anything.",
);

const SHOUT: Line = (
    "Shout",
    "text SHOUT to 85258",
    "Free, confidential text support, 24/7.",
);

const ENGLAND: [Line; 4] = [
    EMERGENCY,
    (
        "NHS 111",
        "call 111 and choose option 2",
        "Urgent mental health help from your local NHS crisis team, 24/7.",
    ),
    SAMARITANS,
    SHOUT,
];

const SCOTLAND: [Line; 4] = [
    EMERGENCY,
    (
        "NHS 24",
        "call 111 and choose the mental health option",
        "The NHS 24 Mental Health Hub, for urgent mental health help, 24/7.",
    ),
    SAMARITANS,
    SHOUT,
];

const WALES: [Line; 4] = [
    EMERGENCY,
    (
        "NHS 111 Wales",
        "call 111 and press 2",
        "Urgent mental health help from your local NHS team, free and 24/7.",
    ),
    SAMARITANS,
    SHOUT,
];

const NORTHERN_IRELAND: [Line; 4] = [
    EMERGENCY,
    (
        "Lifeline",
        "call 0808 808 8000",
        "Northern Ireland's crisis helpline, free and 24/7. Textphone: 18001 0808 808 8000.",
    ),
    SAMARITANS,
    SHOUT,
];

/// The help lines for `region`, most urgent first.
pub fn resources(region: Region) -> Vec<Resource> {
    let lines: &[Line] = match region {
        Region::England => &ENGLAND,
        Region::Scotland => &SCOTLAND,
        Region::Wales => &WALES,
        Region::NorthernIreland => &NORTHERN_IRELAND,
    };
    lines
        .iter()
        .map(|&(name, contact, detail)| Resource {
            name: name.to_owned(),
            contact: contact.to_owned(),
            detail: detail.to_owned(),
        })
        .collect()
}

/// The plain-text system message: [`NOTICE`], then one line per resource.
pub fn render(region: Region) -> String {
    let mut text = String::from(NOTICE);
    text.push('\n');
    for resource in resources(region) {
        text.push_str(&format!(
            "\n- {}: {}. {}",
            resource.name, resource.contact, resource.detail
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Region; 4] = [
        Region::England,
        Region::Scotland,
        Region::Wales,
        Region::NorthernIreland,
    ];

    // Snapshots (T33). A failure here means the signposting changed: get the CSO's approval,
    // then update the snapshot to the new text.
    const ENGLAND_SNAPSHOT: &str = "Only you can see this message. It sounds like things might be really hard right now, and you don't have to face this alone. Kindred is a peer support community, not a crisis service. If you are in danger, or thinking about harming yourself or ending your life, please reach out now:

- Emergency services: call 999. If your life or someone else's is at risk right now. You can also go to A&E.
- NHS 111: call 111 and choose option 2. Urgent mental health help from your local NHS crisis team, 24/7.
- Samaritans: call 116 123. Free, 24 hours a day, 7 days a week. Talk about anything.
- Shout: text SHOUT to 85258. Free, confidential text support, 24/7.";

    const SCOTLAND_SNAPSHOT: &str = "Only you can see this message. It sounds like things might be really hard right now, and you don't have to face this alone. Kindred is a peer support community, not a crisis service. If you are in danger, or thinking about harming yourself or ending your life, please reach out now:

- Emergency services: call 999. If your life or someone else's is at risk right now. You can also go to A&E.
- NHS 24: call 111 and choose the mental health option. The NHS 24 Mental Health Hub, for urgent mental health help, 24/7.
- Samaritans: call 116 123. Free, 24 hours a day, 7 days a week. Talk about anything.
- Shout: text SHOUT to 85258. Free, confidential text support, 24/7.";

    const WALES_SNAPSHOT: &str = "Only you can see this message. It sounds like things might be really hard right now, and you don't have to face this alone. Kindred is a peer support community, not a crisis service. If you are in danger, or thinking about harming yourself or ending your life, please reach out now:

- Emergency services: call 999. If your life or someone else's is at risk right now. You can also go to A&E.
- NHS 111 Wales: call 111 and press 2. Urgent mental health help from your local NHS team, free and 24/7.
- Samaritans: call 116 123. Free, 24 hours a day, 7 days a week. Talk about anything.
- Shout: text SHOUT to 85258. Free, confidential text support, 24/7.";

    const NORTHERN_IRELAND_SNAPSHOT: &str = "Only you can see this message. It sounds like things might be really hard right now, and you don't have to face this alone. Kindred is a peer support community, not a crisis service. If you are in danger, or thinking about harming yourself or ending your life, please reach out now:

- Emergency services: call 999. If your life or someone else's is at risk right now. You can also go to A&E.
- Lifeline: call 0808 808 8000. Northern Ireland's crisis helpline, free and 24/7. Textphone: 18001 0808 808 8000.
- Samaritans: call 116 123. Free, 24 hours a day, 7 days a week. Talk about anything.
- Shout: text SHOUT to 85258. Free, confidential text support, 24/7.";

    #[test]
    fn england_signposting_has_every_required_line() {
        let text = render(Region::England);
        for required in [
            "999",
            "NHS 111",
            "option 2",
            "Samaritans",
            "116 123",
            "text SHOUT to 85258",
            "not a crisis service",
        ] {
            assert!(text.contains(required), "England text lacks {required:?}");
        }
    }

    #[test]
    fn england_signposting_matches_its_snapshot() {
        assert_eq!(render(Region::England), ENGLAND_SNAPSHOT);
    }

    #[test]
    fn scotland_signposting_matches_its_snapshot() {
        assert_eq!(render(Region::Scotland), SCOTLAND_SNAPSHOT);
    }

    #[test]
    fn wales_signposting_matches_its_snapshot() {
        assert_eq!(render(Region::Wales), WALES_SNAPSHOT);
    }

    #[test]
    fn northern_ireland_signposting_matches_its_snapshot() {
        assert_eq!(render(Region::NorthernIreland), NORTHERN_IRELAND_SNAPSHOT);
    }

    #[test]
    fn england_lists_exactly_four_lines_in_order() {
        let lines = resources(Region::England);
        let contacts: Vec<&str> = lines.iter().map(|r| r.contact.as_str()).collect();
        assert_eq!(
            contacts,
            [
                "call 999",
                "call 111 and choose option 2",
                "call 116 123",
                "text SHOUT to 85258"
            ]
        );
    }

    #[test]
    fn every_region_offers_999_samaritans_and_shout_first_emergency() {
        for region in ALL {
            let lines = resources(region);
            assert_eq!(lines.len(), 4, "{}", region.as_str());
            assert_eq!(lines.first().map(|r| r.contact.as_str()), Some("call 999"));
            assert!(lines.iter().any(|r| r.contact == "call 116 123"));
            assert!(lines.iter().any(|r| r.contact == "text SHOUT to 85258"));
        }
    }

    #[test]
    fn regions_round_trip_through_their_names() {
        for region in ALL {
            assert_eq!(Region::parse(region.as_str()), Some(region));
        }
        assert_eq!(Region::parse("England"), None);
        assert_eq!(Region::parse("northern ireland"), None);
        assert_eq!(Region::parse(""), None);
    }

    #[test]
    fn resources_serialise_with_plain_field_names() {
        let json = serde_json::to_value(resources(Region::NorthernIreland)).unwrap();
        assert_eq!(json[1]["name"], "Lifeline");
        assert_eq!(json[1]["contact"], "call 0808 808 8000");
    }
}
