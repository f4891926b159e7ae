//! Date formatting without a calendar crate: FiletimeFormat patterns for on_dir_list and
//! the `23-Jan-2000 15:00:00` form of certificate dates. Times are shown in UTC (the
//! platform offers no portable local-time conversion without a time zone database).

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A broken-down UTC time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Civil {
    /// Seconds since 1970-01-01 UTC to a civil date (proleptic Gregorian; Howard
    /// Hinnant's days-from-civil inverse).
    pub(crate) fn from_unix(secs: i64) -> Self {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let z = days.saturating_add(719_468);
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self {
            year,
            month: u32::try_from(month).unwrap_or(1),
            day: u32::try_from(day).unwrap_or(1),
            hour: u32::try_from(rem / 3600).unwrap_or(0),
            minute: u32::try_from(rem % 3600 / 60).unwrap_or(0),
            second: u32::try_from(rem % 60).unwrap_or(0),
        }
    }

    fn month_name(&self) -> &'static str {
        let i = usize::try_from(self.month.saturating_sub(1)).unwrap_or(0);
        MONTHS.get(i).copied().unwrap_or("Jan")
    }
}

/// The seed's default file time: "MMM dd HH:mm" within the current year, "MMM dd yyyy"
/// otherwise; or the FiletimeFormat `pattern` when one is set.
pub(crate) fn file_time(secs: i64, now_secs: i64, pattern: &str) -> String {
    let t = Civil::from_unix(secs);
    if !pattern.is_empty() {
        return format_pattern(&t, pattern);
    }
    if t.year == Civil::from_unix(now_secs).year {
        format_pattern(&t, "MMM dd HH:mm")
    } else {
        format_pattern(&t, "MMM dd yyyy")
    }
}

/// `23-Jan-2000 15:00:00`, the seed's certificate date form.
pub(crate) fn cert_date(secs: i64) -> String {
    format_pattern(&Civil::from_unix(secs), "dd-MMM-yyyy HH:mm:ss")
}

/// Formats with .NET-style tokens: yyyy, yy, MMMM/MMM, MM, M, dd, d, HH, H, hh, h, mm, m,
/// ss, s, tt; text in single quotes is literal; anything else is copied.
pub(crate) fn format_pattern(t: &Civil, pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0usize;
    while let Some(&c) = chars.get(i) {
        let mut run = 1usize;
        while chars.get(i + run) == Some(&c) {
            run += 1;
        }
        let h12 = match t.hour % 12 {
            0 => 12,
            h => h,
        };
        match c {
            'y' if run >= 3 => out.push_str(&format!("{:04}", t.year)),
            'y' => out.push_str(&format!("{:02}", t.year.rem_euclid(100))),
            'M' if run >= 4 => out.push_str(full_month(t.month)),
            'M' if run == 3 => out.push_str(t.month_name()),
            'M' if run == 2 => out.push_str(&format!("{:02}", t.month)),
            'M' => out.push_str(&t.month.to_string()),
            'd' if run >= 2 => out.push_str(&format!("{:02}", t.day)),
            'd' => out.push_str(&t.day.to_string()),
            'H' if run >= 2 => out.push_str(&format!("{:02}", t.hour)),
            'H' => out.push_str(&t.hour.to_string()),
            'h' if run >= 2 => out.push_str(&format!("{h12:02}")),
            'h' => out.push_str(&h12.to_string()),
            'm' if run >= 2 => out.push_str(&format!("{:02}", t.minute)),
            'm' => out.push_str(&t.minute.to_string()),
            's' if run >= 2 => out.push_str(&format!("{:02}", t.second)),
            's' => out.push_str(&t.second.to_string()),
            't' => out.push_str(if t.hour < 12 { "AM" } else { "PM" }),
            '\'' => {
                // Quoted literal up to the next quote.
                let mut j = i + 1;
                while let Some(&q) = chars.get(j) {
                    if q == '\'' {
                        break;
                    }
                    out.push(q);
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            other => {
                for _ in 0..run {
                    out.push(other);
                }
            }
        }
        i += run;
    }
    out
}

fn full_month(m: u32) -> &'static str {
    const FULL: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let i = usize::try_from(m.saturating_sub(1)).unwrap_or(0);
    FULL.get(i).copied().unwrap_or("January")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(
            Civil::from_unix(0),
            Civil {
                year: 1970,
                month: 1,
                day: 1,
                hour: 0,
                minute: 0,
                second: 0
            }
        );
        // 2000-01-23 15:00:00 UTC.
        assert_eq!(cert_date(948_639_600), "23-Jan-2000 15:00:00");
        // 2024-02-29 12:34:56 UTC (leap day).
        let t = Civil::from_unix(1_709_210_096);
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second),
            (2024, 2, 29, 12, 34, 56)
        );
    }

    #[test]
    fn default_file_time_forms() {
        let now = 1_709_210_096; // 2024
        assert_eq!(file_time(1_709_210_096, now, ""), "Feb 29 12:34");
        assert_eq!(file_time(948_639_600, now, ""), "Jan 23 2000");
        assert_eq!(
            file_time(948_639_600, now, "yyyy-MM-dd'T'HH:mm:ss"),
            "2000-01-23T15:00:00"
        );
        assert_eq!(file_time(948_639_600, now, "h:mm tt"), "3:00 PM");
    }
}
