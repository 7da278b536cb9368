//! Phone numbers: runs of digits joined by single separators, read as a UK national number
//! (after `+44`, `0044` or `+44 (0)`) or as an international `+` number.

/// Characters that may sit between the digit groups of one written number.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}')
}

/// A candidate that ends here is part of something else: a time, a date, a price, a word.
fn continues_otherwise(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || matches!(c, ':' | '/' | ',' | '%' | '@' | '_'))
}

/// A candidate may start only after a space, an opening bracket or quote, or the start.
fn may_start_after(c: Option<char>) -> bool {
    c.is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | '"' | '\'' | ':' | ','))
}

pub(super) fn contains_phone(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let starts = (c.is_ascii_digit()
            || (matches!(c, '+' | '(') && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
            && may_start_after(prev);
        if !starts {
            i += 1;
            continue;
        }
        let (groups, plus, end) = read_number(&chars, i);
        if !continues_otherwise(chars.get(end).copied()) && is_phone(&groups, plus) {
            return true;
        }
        i = end.max(i + 1);
    }
    false
}

/// Reads digit groups from `start`: (groups, whether it began with `+`, index after it).
fn read_number(chars: &[char], start: usize) -> (Vec<String>, bool, usize) {
    let mut i = start;
    let plus = chars.get(i) == Some(&'+');
    if plus {
        i += 1;
    }
    let mut groups: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut end = i;
    while let Some(&c) = chars.get(i) {
        if c.is_ascii_digit() {
            current.push(c);
            i += 1;
            end = i;
            continue;
        }
        // At most two separators in a row (") " or " -"), and a digit must follow them.
        let mut j = i;
        while j < chars.len() && j - i < 3 && is_separator(chars[j]) {
            j += 1;
        }
        if j == i || j - i > 2 || !chars.get(j).is_some_and(char::is_ascii_digit) {
            if chars.get(i) == Some(&')') {
                end = i + 1;
            }
            break;
        }
        if !current.is_empty() {
            groups.push(std::mem::take(&mut current));
        }
        i = j;
    }
    if !current.is_empty() {
        groups.push(current);
    }
    (groups, plus, end)
}

/// Whether the digit groups read as a phone number.
fn is_phone(groups: &[String], plus: bool) -> bool {
    let digits: String = groups.concat();
    let country = if plus {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    let national: Vec<&str> = match country {
        Some(rest) if rest.starts_with("44") => {
            // "+44 7700 …", "+447700…", "+44 (0)7700 …", "0044 20 …".
            let mut parts: Vec<&str> = groups.iter().map(String::as_str).collect();
            let first = parts.remove(0);
            let first = if plus { first.get(2..) } else { first.get(4..) };
            let mut out: Vec<&str> = Vec::new();
            if let Some(f) = first.filter(|f| !f.is_empty()) {
                out.push(f);
            }
            out.extend(parts);
            if out.first() == Some(&"0") {
                out.remove(0);
            }
            if out.len() > 4 || out.iter().any(|g| g.len() < 2) {
                return false;
            }
            let number = format!("0{}", out.concat());
            return is_uk_personal(&number);
        }
        Some(rest) if plus => {
            // Any other country: a phone number is a phone number.
            return (8..=15).contains(&rest.len()) && groups.len() <= 5;
        }
        _ => groups.iter().map(String::as_str).collect(),
    };
    if national.len() > 4
        || national.first().is_none_or(|g| g.len() < 3)
        || national.iter().any(|g| g.len() < 2)
    {
        return false;
    }
    is_uk_personal(&digits)
}

/// A UK number a person would have: a mobile or a geographic line.
fn is_uk_personal(number: &str) -> bool {
    let n = number.len();
    (number.starts_with("07") && n == 11)
        || ((number.starts_with("01") || number.starts_with("02")) && (n == 10 || n == 11))
}
