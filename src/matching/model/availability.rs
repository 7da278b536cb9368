//! Weekly availability: days and parts of the day in a member's local time, and the 168-bit
//! mask of UTC hours of the week they are converted to ([`availability_mask`]), with the
//! queries the scoring needs.

use serde::Serialize;

/// Hours in a week: the width of an availability mask.
pub const HOURS_PER_WEEK: u32 = 7 * 24;

/// A day of the week, in the member's local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Day {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Day {
    /// All days, Monday first.
    pub const ALL: [Day; 7] = [
        Day::Mon,
        Day::Tue,
        Day::Wed,
        Day::Thu,
        Day::Fri,
        Day::Sat,
        Day::Sun,
    ];

    /// Parses the stored name (`mon` … `sun`).
    pub fn parse(s: &str) -> Option<Day> {
        Day::ALL.into_iter().find(|d| d.name() == s)
    }

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Day::Mon => "mon",
            Day::Tue => "tue",
            Day::Wed => "wed",
            Day::Thu => "thu",
            Day::Fri => "fri",
            Day::Sat => "sat",
            Day::Sun => "sun",
        }
    }

    /// 0 for Monday … 6 for Sunday.
    pub fn index(self) -> u32 {
        match self {
            Day::Mon => 0,
            Day::Tue => 1,
            Day::Wed => 2,
            Day::Thu => 3,
            Day::Fri => 4,
            Day::Sat => 5,
            Day::Sun => 6,
        }
    }
}

/// A part of the day, in the member's local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// 06:00–12:00.
    Morning,
    /// 12:00–18:00.
    Afternoon,
    /// 18:00–24:00.
    Evening,
    /// 00:00–06:00.
    Night,
}

impl Part {
    /// All parts, in the order of the stored vocabulary.
    pub const ALL: [Part; 4] = [Part::Morning, Part::Afternoon, Part::Evening, Part::Night];

    /// Parses the stored name (`morning`, `afternoon`, `evening`, `night`).
    pub fn parse(s: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.name() == s)
    }

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Part::Morning => "morning",
            Part::Afternoon => "afternoon",
            Part::Evening => "evening",
            Part::Night => "night",
        }
    }

    /// The local hour the part starts at.
    pub fn start_hour(self) -> u32 {
        match self {
            Part::Night => 0,
            Part::Morning => 6,
            Part::Afternoon => 12,
            Part::Evening => 18,
        }
    }

    /// The part a local hour (0–23) falls in.
    pub fn of_hour(hour: u32) -> Part {
        match hour % 24 {
            0..=5 => Part::Night,
            6..=11 => Part::Morning,
            12..=17 => Part::Afternoon,
            _ => Part::Evening,
        }
    }
}

/// Whether hour `h` (0–167) of the week is set in a mask.
pub fn mask_has(mask: &[u64; 3], h: u32) -> bool {
    let h = h % HOURS_PER_WEEK;
    match mask.get((h / 64) as usize) {
        Some(word) => word & (1u64 << (h % 64)) != 0,
        None => false,
    }
}

fn mask_set(mask: &mut [u64; 3], h: u32) {
    let h = h % HOURS_PER_WEEK;
    if let Some(word) = mask.get_mut((h / 64) as usize) {
        *word |= 1u64 << (h % 64);
    }
}

/// Builds the 168-bit mask of UTC hours of the week (bit 0 = Monday 00:00–01:00 UTC) from
/// weekly slots in local time, for a member whose current UTC offset is `offset_minutes`
/// (e.g. +60 for Europe/London in summer). Parts are morning 06–12, afternoon 12–18, evening
/// 18–24 and night 00–06 local; slots wrap around the week (Monday night in UTC+1 starts on
/// Sunday 23:00 UTC). With an offset that is not a whole number of hours, a UTC hour is set
/// when the slot covers more than half of it.
pub fn availability_mask(slots: &[(Day, Part)], offset_minutes: i32) -> [u64; 3] {
    const WEEK_MINUTES: i64 = 7 * 24 * 60;
    let mut mask = [0u64; 3];
    for (day, part) in slots {
        let local_start = i64::from(day.index() * 24 + part.start_hour()) * 60;
        let start = (local_start - i64::from(offset_minutes)).rem_euclid(WEEK_MINUTES);
        let end = start + 6 * 60;
        // UTC hours touched by [start, end), possibly past the end of the week.
        let first = start / 60;
        let last = (end - 1) / 60;
        for h in first..=last {
            let covered = end.min((h + 1) * 60) - start.max(h * 60);
            if covered * 2 > 60 {
                let hour = h.rem_euclid(i64::from(HOURS_PER_WEEK));
                mask_set(&mut mask, u32::try_from(hour).unwrap_or(0));
            }
        }
    }
    mask
}

/// Number of hours set in both masks.
pub fn shared_hours(a: &[u64; 3], b: &[u64; 3]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x & y).count_ones()).sum()
}
