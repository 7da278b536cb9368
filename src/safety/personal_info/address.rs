//! Email addresses, social handles and links, read word by word.

/// Top-level domains a bare domain must end in to count as a link. Kept short on purpose:
/// every entry is a word-ending people could type by accident after a missing space.
const TLDS: &[&str] = &[
    "com", "net", "org", "uk", "io", "co", "me", "ly", "gg", "app", "dev", "tv", "info", "biz",
    "xyz", "link", "site", "online", "ie", "eu", "us", "ca", "au", "de", "fr", "ai", "social",
];

/// Words that say a handle belongs to another service.
const PLATFORMS: &[&str] = &[
    "insta",
    "instagram",
    "ig",
    "twitter",
    "tiktok",
    "snap",
    "snapchat",
    "sc",
    "discord",
    "telegram",
    "whatsapp",
    "facebook",
    "fb",
    "threads",
    "bluesky",
    "mastodon",
    "reddit",
    "kik",
    "twitch",
    "youtube",
];

/// The word without the punctuation that surrounds words in sentences.
fn bare(word: &str) -> &str {
    word.trim_matches(|c: char| {
        matches!(
            c,
            '(' | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '<'
                | '>'
                | '"'
                | '\''
                | ','
                | ';'
                | '!'
                | '?'
                | ':'
                | '\u{2018}'
                | '\u{2019}'
                | '\u{201c}'
                | '\u{201d}'
        )
    })
    .trim_end_matches('.')
}

fn is_tld(label: &str) -> bool {
    TLDS.iter().any(|t| t.eq_ignore_ascii_case(label))
}

fn is_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// `example.co.uk`: two or more labels, a known TLD, some label with a letter besides it.
fn is_domain(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| is_label(l))
        && labels.last().is_some_and(|t| is_tld(t))
        && labels
            .iter()
            .rev()
            .skip(1)
            .any(|l| l.chars().any(|c| c.is_ascii_alphabetic()))
}

fn is_email(word: &str) -> bool {
    let Some((local, domain)) = word.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
        && domain.split('.').count() >= 2
        && domain.split('.').all(is_label)
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()))
}

fn is_word(w: &str, options: &[&str]) -> bool {
    options.iter().any(|o| o.eq_ignore_ascii_case(w))
}

pub(super) fn contains_email(words: &[&str]) -> bool {
    if words.iter().any(|w| is_email(bare(w))) {
        return true;
    }
    // "jo dot smith at gmail dot com", "jo [at] gmail (dot) com".
    words.windows(4).any(|w| {
        is_word(bare_keep_brackets(w[0]), &["at", "[at]", "(at)"])
            && bare(w[1]).chars().all(|c| c.is_ascii_alphanumeric())
            && !bare(w[1]).is_empty()
            && is_word(bare_keep_brackets(w[2]), &["dot", "[dot]", "(dot)"])
            && is_tld(bare(w[3]))
    })
}

/// Like [`bare`], but keeps `[at]` and `(dot)` whole.
fn bare_keep_brackets(word: &str) -> &str {
    word.trim_matches(|c: char| matches!(c, ',' | ';' | '!' | '?' | '"' | '\''))
        .trim_end_matches('.')
}

/// `@name` at the start of a word: the name after the `@`, if it reads as one.
fn handle_name(word: &str) -> Option<&str> {
    let name = bare(word).strip_prefix('@')?;
    let name = name.trim_end_matches('.');
    let ok = (2..=30).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && name.chars().any(|c| c.is_ascii_alphabetic())
        && !is_time(name);
    ok.then_some(name)
}

/// `5pm`, `10am`, `9.30pm`: a time after an `@` ("see you @5pm").
fn is_time(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let Some(num) = lower
        .strip_suffix("am")
        .or_else(|| lower.strip_suffix("pm"))
    else {
        return false;
    };
    let num: String = num.chars().filter(|c| *c != '.').collect();
    !num.is_empty() && num.len() <= 4 && num.chars().all(|c| c.is_ascii_digit())
}

pub(super) fn contains_handle(words: &[&str]) -> bool {
    let names: Vec<&str> = words.iter().filter_map(|w| handle_name(w)).collect();
    if names.is_empty() {
        return false;
    }
    let platform = words
        .iter()
        .any(|w| is_word(bare(w).trim_end_matches('s'), PLATFORMS) || is_word(bare(w), PLATFORMS));
    platform
        || names
            .iter()
            .any(|n| n.chars().any(|c| c.is_ascii_digit() || c == '_') || n.contains('.'))
}

pub(super) fn contains_link(words: &[&str]) -> bool {
    words.iter().any(|w| {
        let w = bare(w);
        if w.contains('@') {
            return false;
        }
        let lower = w.to_ascii_lowercase();
        if let Some(rest) = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
        {
            return !rest.is_empty();
        }
        if lower.starts_with("www.") && lower.len() > 4 {
            return true;
        }
        let host = lower.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.split(':').next().unwrap_or("");
        is_domain(host)
    })
}
