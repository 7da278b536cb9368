//! Email addresses: trimmed, domain lower-cased (and IDNA-encoded), checked to be deliverable
//! by lettre. Two forms: the address we send to, and the `key` we look accounts up by (the
//! whole address lower-cased, so `Alice@x.org` and `alice@x.org` are one account).

/// Longest address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

#[derive(Clone, PartialEq, Eq)]
pub struct Email {
    address: String,
    key: String,
}

/// Never print an address in a log by accident.
impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Email(<redacted>)")
    }
}

impl Email {
    pub fn parse(raw: &str) -> Result<Email, &'static str> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("an email address is required");
        }
        if trimmed.chars().count() > MAX_EMAIL_CHARS {
            return Err("the email address is too long");
        }
        if trimmed
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c))
        {
            return Err("the email address contains characters that are not allowed");
        }
        let (local, domain) = trimmed
            .rsplit_once('@')
            .ok_or("the email address needs an @")?;
        if local.is_empty() || local.chars().count() > 64 || local.contains('@') {
            return Err("the part before the @ is not valid");
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err("the part before the @ is not valid");
        }
        let domain = match url::Host::parse(&domain.to_lowercase()) {
            Ok(url::Host::Domain(d)) if d.contains('.') && !d.ends_with('.') => d,
            _ => return Err("the part after the @ is not a domain"),
        };
        let address = format!("{local}@{domain}");
        if address.parse::<lettre::Address>().is_err() {
            return Err("the email address is not valid");
        }
        let key = address.to_lowercase();
        Ok(Email { address, key })
    }

    /// The address mail is sent to.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The lookup key: unique per account.
    pub fn key(&self) -> &str {
        &self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_lowercases_the_domain() {
        let e = Email::parse("  Alice.Smith@Example.ORG ").unwrap();
        assert_eq!(e.address(), "Alice.Smith@example.org");
        assert_eq!(e.key(), "alice.smith@example.org");
    }

    #[test]
    fn idn_domains_are_encoded() {
        let e = Email::parse("kim@Bücher.de").unwrap();
        assert_eq!(e.address(), "kim@xn--bcher-kva.de");
    }

    #[test]
    fn case_fold_lookalikes_stay_distinct() {
        // ß is not ss and dotted İ is not i: different mailboxes, different accounts.
        let a = Email::parse("strasse@example.org").unwrap();
        let b = Email::parse("straße@example.org");
        if let Ok(b) = b {
            assert_ne!(a.key(), b.key());
        }
        let c = Email::parse("İnci@example.org");
        if let Ok(c) = c {
            assert_ne!(c.key(), "inci@example.org");
        }
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "plain",
            "@example.org",
            "a@",
            "a@localhost",
            "a b@example.org",
            "a@@example.org",
            "a@example..org",
            ".a@example.org",
            "a\r\nBcc: x@example.org",
            "\"quoted\"@example.org",
            "a@[127.0.0.1]",
        ] {
            assert!(Email::parse(bad).is_err(), "accepted {bad:?}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn debug_never_shows_the_address() {
        let e = Email::parse("secret@example.org").unwrap();
        assert!(!format!("{e:?}").contains("secret"));
    }
}
