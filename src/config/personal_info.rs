//! `KINDRED_PERSONAL_INFO_POLICY`: what happens to a message that looks like it shares contact
//! details (SAFE-SG-8, `safety::personal_info`).

/// What the message writer does with a message that contains personal information.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PersonalInfoPolicy {
    /// Delivered as usual; the writer alone gets a private `notice` frame (the default).
    #[default]
    Warn,
    /// Held for moderator review (`moderation::holds`), like the crisis hold categories.
    Hold,
}

impl PersonalInfoPolicy {
    /// Reads the variable (unset: `warn`); a bad value is a problem named by the variable.
    pub(super) fn read(var: &dyn Fn(&str) -> Option<String>, problems: &mut Vec<String>) -> Self {
        match var("KINDRED_PERSONAL_INFO_POLICY")
            .as_deref()
            .map(str::trim)
        {
            None | Some("warn") => PersonalInfoPolicy::Warn,
            Some("hold") => PersonalInfoPolicy::Hold,
            Some(_) => {
                problems.push("KINDRED_PERSONAL_INFO_POLICY: must be `warn` or `hold`".into());
                PersonalInfoPolicy::Warn
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(v: Option<&str>) -> (PersonalInfoPolicy, Vec<String>) {
        let mut problems = Vec::new();
        let value = v.map(str::to_string);
        let p = PersonalInfoPolicy::read(&|_| value.clone(), &mut problems);
        (p, problems)
    }

    #[test]
    fn warn_by_default_hold_when_asked_and_nothing_else() {
        assert_eq!(read(None), (PersonalInfoPolicy::Warn, vec![]));
        assert_eq!(read(Some("warn")), (PersonalInfoPolicy::Warn, vec![]));
        assert_eq!(read(Some("hold")), (PersonalInfoPolicy::Hold, vec![]));
        let (_, problems) = read(Some("delete"));
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("KINDRED_PERSONAL_INFO_POLICY"));
    }
}
