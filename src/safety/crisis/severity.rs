//! How severe a crisis detection is, and its stored and wire form.

/// How severe a detection is. Ordered so that `Red > Amber`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Self-harm, hopelessness, abuse or danger: a moderator checks in.
    Amber,
    /// Suicidal intent, plan, method or imminent risk: acknowledged within minutes.
    Red,
}

impl Severity {
    /// The stored and wire form: `"amber"` or `"red"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Amber => "amber",
            Severity::Red => "red",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Severity> {
        match s {
            "amber" => Some(Severity::Amber),
            "red" => Some(Severity::Red),
            _ => None,
        }
    }
}
