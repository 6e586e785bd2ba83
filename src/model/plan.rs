//! Release planning: lead-time profiles, schedules worked back from the release date,
//! feasibility from today, and shifting a plan when the release date moves.
//!
//! A [`LeadTimeProfile`] lists the milestones of one format kind (optionally for one named
//! manufacturer, e.g. a pressing plant) or of the release as a whole; each milestone is
//! anchored either some days before release day or some days after another milestone of the
//! same profile. [`LeadTimeProfile::schedule`] turns a profile into due dates for a release
//! date; [`plan_release`] does it for every format of a release; [`feasibility`] says, from
//! today, whether each format can still make the date and what the earliest feasible date is.
//!
//! Pure: dates are `chrono::NaiveDate`, no SQL, no UI.

use std::collections::HashMap;
use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::error::ValidationError;
use super::ids::ReleaseId;
use super::kinds::{FormatKind, ReleaseStatus};

/// Longest offset of a milestone, in days (two years).
pub const MAX_OFFSET_DAYS: u32 = 730;
/// Longest milestone or manufacturer name, in characters.
pub const MILESTONE_NAME_MAX_CHARS: usize = 200;
/// Longest milestone owner, in characters.
pub const OWNER_MAX_CHARS: usize = 200;
/// Longest milestone notes, in characters.
pub const NOTES_MAX_CHARS: usize = 4000;
/// Earliest year a plan date may have.
pub const MIN_PLAN_YEAR: i32 = 1970;
/// Latest year a plan date may have.
pub const MAX_PLAN_YEAR: i32 = 2200;
/// Most milestones in one profile.
pub const MAX_PROFILE_MILESTONES: usize = 50;

/// The milestone whose completion suggests the release is in production.
pub const MASTERS_FINAL: &str = "Masters final";
/// The release-wide milestone on release day itself.
pub const RELEASE_DAY: &str = "Release day";

super::ids::id_type!(
    /// Identifies one milestone of a release's plan.
    MilestoneId
);
super::ids::id_type!(
    /// Identifies a lead-time profile.
    ProfileId
);

/// Where a milestone of a plan stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    /// Still to be done.
    #[default]
    Todo,
    /// Done (on its done date).
    Done,
    /// Will not be done (not needed for this release).
    Skipped,
}

impl MilestoneStatus {
    /// Every value, in display order.
    pub const ALL: &[Self] = &[Self::Todo, Self::Done, Self::Skipped];

    /// The code stored in the database.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Todo => "todo",
            Self::Done => "done",
            Self::Skipped => "skipped",
        }
    }

    /// The text shown to the user.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Todo => "To do",
            Self::Done => "Done",
            Self::Skipped => "Skipped",
        }
    }

    /// True while the milestone still has to be done.
    #[must_use]
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Todo)
    }

    /// Reads a stored code (or a label), ignoring case and surrounding spaces.
    ///
    /// # Errors
    /// [`ValidationError::UnknownCode`] if it matches no value.
    pub fn from_code(s: &str) -> Result<Self, ValidationError> {
        let wanted = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|v| {
                v.code().eq_ignore_ascii_case(wanted) || v.label().eq_ignore_ascii_case(wanted)
            })
            .ok_or_else(|| ValidationError::UnknownCode {
                what: "milestone status",
                input: wanted.to_owned(),
            })
    }
}

impl fmt::Display for MilestoneStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a profile or a plan cannot be used. Every message names the milestone or date at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A profile without milestones.
    #[error("{profile} has no milestones: add at least one")]
    NoMilestones {
        /// The profile's display name.
        profile: String,
    },
    /// A profile with too many milestones.
    #[error("{profile} has too many milestones: at most {max}")]
    TooManyMilestones {
        /// The profile's display name.
        profile: String,
        /// The most allowed.
        max: usize,
    },
    /// A manufacturer name that is too long.
    #[error("the manufacturer's name is too long: at most {max} characters")]
    ManufacturerTooLong {
        /// Longest name allowed.
        max: usize,
    },
    /// A milestone name left empty (or too long).
    #[error("milestone {position} of {profile} needs a name (at most {max} characters)")]
    BadName {
        /// The profile's display name.
        profile: String,
        /// 1-based position in the profile.
        position: usize,
        /// Longest name allowed.
        max: usize,
    },
    /// Two milestones of one profile share a name.
    #[error("{profile} has two milestones called “{name}”: give each its own name")]
    DuplicateName {
        /// The profile's display name.
        profile: String,
        /// The repeated name.
        name: String,
    },
    /// A milestone follows one that is not in its profile.
    #[error("“{milestone}” follows “{anchor}”, which is not a milestone of this profile")]
    UnknownAnchor {
        /// The milestone.
        milestone: String,
        /// The name it refers to.
        anchor: String,
    },
    /// Milestones that follow each other in a circle.
    #[error("these milestones follow each other in a circle: {}", cycle_text(.path))]
    Cycle {
        /// The milestones of the circle, the first repeated at the end.
        path: Vec<String>,
    },
    /// An offset outside 0 to [`MAX_OFFSET_DAYS`].
    #[error("“{milestone}”: {days} days is out of range (0 to {max} days)")]
    OffsetOutOfRange {
        /// The milestone.
        milestone: String,
        /// The offset given.
        days: i64,
        /// The largest offset allowed.
        max: u32,
    },
    /// A milestone that would come after release day.
    #[error(
        "“{milestone}” would fall {days} days after release day: every milestone must come on or before it"
    )]
    AfterRelease {
        /// The milestone.
        milestone: String,
        /// How many days after release day.
        days: i64,
    },
    /// Planning a release that has no date.
    #[error("“{title}” has no release date: set one before planning")]
    NoReleaseDate {
        /// The release's title.
        title: String,
    },
    /// A date too far in the past or future to plan with.
    #[error("{date} is out of range: use a date between {MIN_PLAN_YEAR} and {MAX_PLAN_YEAR}")]
    DateOutOfRange {
        /// The date given.
        date: NaiveDate,
    },
    /// Planning a release whose release day has already passed.
    #[error("release day {date} has passed: a plan works back from a future release date")]
    ReleaseDayPassed {
        /// The release date.
        date: NaiveDate,
    },
    /// A hand-set due date after release day.
    #[error(
        "“{milestone}” would be due {due}, after release day {release}: pick a date on or before it"
    )]
    DueAfterRelease {
        /// The milestone.
        milestone: String,
        /// Its due date.
        due: NaiveDate,
        /// The release date.
        release: NaiveDate,
    },
}

fn cycle_text(path: &[String]) -> String {
    path.iter()
        .map(|n| format!("“{n}”"))
        .collect::<Vec<_>>()
        .join(" then ")
}

impl From<PlanError> for ValidationError {
    fn from(error: PlanError) -> Self {
        let field = match &error {
            PlanError::NoReleaseDate { .. }
            | PlanError::ReleaseDayPassed { .. }
            | PlanError::DateOutOfRange { .. }
            | PlanError::DueAfterRelease { .. } => "date",
            _ => "lead times",
        };
        ValidationError::Invalid {
            field,
            reason: error.to_string(),
        }
    }
}

/// When a milestone template falls.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Anchor {
    /// This many days before release day (0 = on release day).
    BeforeRelease {
        /// Days before release day.
        days: u32,
    },
    /// This many days after another milestone of the same profile.
    After {
        /// The other milestone's name.
        milestone: String,
        /// Days after it.
        days: u32,
    },
}

impl Anchor {
    /// The offset in days.
    #[must_use]
    pub fn days(&self) -> u32 {
        match self {
            Self::BeforeRelease { days } | Self::After { days, .. } => *days,
        }
    }

    /// "14 days before release day", "7 days after Lacquer cut".
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::BeforeRelease { days: 0 } => "on release day".to_owned(),
            Self::BeforeRelease { days } => format!("{} before release day", days_text(*days)),
            Self::After { milestone, days: 0 } => format!("same day as {milestone}"),
            Self::After { milestone, days } => format!("{} after {milestone}", days_text(*days)),
        }
    }
}

/// "1 day", "14 days".
#[must_use]
pub fn days_text(days: u32) -> String {
    if days == 1 {
        "1 day".to_owned()
    } else {
        format!("{days} days")
    }
}

/// One milestone of a profile.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MilestoneTemplate {
    /// What has to happen, e.g. "Lacquer cut".
    pub name: String,
    /// When.
    pub anchor: Anchor,
}

impl MilestoneTemplate {
    /// A milestone `days` before release day.
    #[must_use]
    pub fn before_release(name: &str, days: u32) -> Self {
        Self {
            name: name.to_owned(),
            anchor: Anchor::BeforeRelease { days },
        }
    }

    /// A milestone `days` after the milestone called `after`.
    #[must_use]
    pub fn after(name: &str, after: &str, days: u32) -> Self {
        Self {
            name: name.to_owned(),
            anchor: Anchor::After {
                milestone: after.to_owned(),
                days,
            },
        }
    }
}

/// The milestones of one format kind (or of the release as a whole), optionally for one
/// manufacturer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LeadTimeProfile {
    /// Row id ([`ProfileId::UNSAVED`] for the built-in defaults).
    pub id: ProfileId,
    /// The format kind, or `None` for release-wide milestones.
    pub format: Option<FormatKind>,
    /// A manufacturer or pressing plant; empty for the default profile of the kind.
    pub manufacturer: String,
    /// The milestones, in order.
    pub milestones: Vec<MilestoneTemplate>,
}

/// A milestone of a schedule: a template given its due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledMilestone {
    /// The template's name.
    pub name: String,
    /// The format kind, or `None` for release-wide milestones.
    pub format: Option<FormatKind>,
    /// Days before release day.
    pub days_before: u32,
    /// The due date.
    pub due: NaiveDate,
}

/// What a group of milestones is called: "12\" vinyl", or "Release" for release-wide ones.
#[must_use]
pub fn group_label(format: Option<FormatKind>) -> &'static str {
    format.map_or("Release", FormatKind::label)
}

impl LeadTimeProfile {
    /// An unsaved profile.
    #[must_use]
    pub fn new(format: Option<FormatKind>, milestones: Vec<MilestoneTemplate>) -> Self {
        Self {
            id: ProfileId::UNSAVED,
            format,
            manufacturer: String::new(),
            milestones,
        }
    }

    /// "12\" vinyl", "12\" vinyl, Optimal Media", "Release-wide".
    #[must_use]
    pub fn display_name(&self) -> String {
        let base = match self.format {
            Some(kind) => kind.label(),
            None => "Release-wide",
        };
        let maker = self.manufacturer.trim();
        if maker.is_empty() {
            base.to_owned()
        } else {
            format!("{base}, {maker}")
        }
    }

    /// The same profile with names trimmed.
    #[must_use]
    pub fn normalized(mut self) -> Self {
        self.manufacturer = self.manufacturer.trim().to_owned();
        for m in &mut self.milestones {
            m.name = m.name.trim().to_owned();
            if let Anchor::After { milestone, .. } = &mut m.anchor {
                *milestone = milestone.trim().to_owned();
            }
        }
        self
    }

    /// Checks names, offsets, references and cycles.
    ///
    /// # Errors
    /// The first problem found.
    pub fn validate(&self) -> Result<(), PlanError> {
        self.resolve().map(|_| ())
    }

    /// Days before release day of each milestone, in the profile's order.
    ///
    /// # Errors
    /// A [`PlanError`] for empty or repeated names, offsets out of range, references to
    /// unknown milestones, cycles, or a milestone after release day.
    pub fn resolve(&self) -> Result<Vec<u32>, PlanError> {
        let profile = self.display_name();
        if self.milestones.is_empty() {
            return Err(PlanError::NoMilestones { profile });
        }
        if self.milestones.len() > MAX_PROFILE_MILESTONES {
            return Err(PlanError::TooManyMilestones {
                profile,
                max: MAX_PROFILE_MILESTONES,
            });
        }
        if self.manufacturer.trim().chars().count() > MILESTONE_NAME_MAX_CHARS {
            return Err(PlanError::ManufacturerTooLong {
                max: MILESTONE_NAME_MAX_CHARS,
            });
        }
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, m) in self.milestones.iter().enumerate() {
            let name = m.name.trim();
            if name.is_empty() || name.chars().count() > MILESTONE_NAME_MAX_CHARS {
                return Err(PlanError::BadName {
                    profile,
                    position: i + 1,
                    max: MILESTONE_NAME_MAX_CHARS,
                });
            }
            if index.insert(name.to_lowercase(), i).is_some() {
                return Err(PlanError::DuplicateName {
                    profile,
                    name: name.to_owned(),
                });
            }
            if m.anchor.days() > MAX_OFFSET_DAYS {
                return Err(PlanError::OffsetOutOfRange {
                    milestone: name.to_owned(),
                    days: i64::from(m.anchor.days()),
                    max: MAX_OFFSET_DAYS,
                });
            }
        }
        // Depth-first resolution with an explicit "in progress" mark for cycle detection.
        let n = self.milestones.len();
        let mut resolved: Vec<Option<i64>> = vec![None; n];
        for start in 0..n {
            let mut stack: Vec<usize> = Vec::new();
            let mut current = start;
            // Walk the chain of anchors until a resolved or release-anchored milestone.
            let base = loop {
                if let Some(days) = resolved[current] {
                    break days;
                }
                if let Some(pos) = stack.iter().position(|&s| s == current) {
                    let mut path: Vec<String> = stack[pos..]
                        .iter()
                        .rev()
                        .map(|&i| self.milestones[i].name.trim().to_owned())
                        .collect();
                    path.push(path.first().cloned().unwrap_or_default());
                    return Err(PlanError::Cycle { path });
                }
                stack.push(current);
                match &self.milestones[current].anchor {
                    Anchor::BeforeRelease { days } => {
                        let days = i64::from(*days);
                        resolved[current] = Some(days);
                        stack.pop();
                        break days;
                    }
                    Anchor::After { milestone, .. } => {
                        let Some(&next) = index.get(&milestone.trim().to_lowercase()) else {
                            return Err(PlanError::UnknownAnchor {
                                milestone: self.milestones[current].name.trim().to_owned(),
                                anchor: milestone.trim().to_owned(),
                            });
                        };
                        current = next;
                    }
                }
            };
            // Unwind: each milestone on the stack follows the one above it.
            let mut days_before = base;
            while let Some(i) = stack.pop() {
                days_before -= i64::from(self.milestones[i].anchor.days());
                if days_before < 0 {
                    return Err(PlanError::AfterRelease {
                        milestone: self.milestones[i].name.trim().to_owned(),
                        days: -days_before,
                    });
                }
                resolved[i] = Some(days_before);
            }
        }
        Ok(resolved
            .into_iter()
            .map(|d| u32::try_from(d.unwrap_or_default()).unwrap_or(MAX_OFFSET_DAYS))
            .collect())
    }

    /// How many days before release day the first milestone falls: the profile's full lead time.
    ///
    /// # Errors
    /// As [`Self::resolve`].
    pub fn lead_days(&self) -> Result<u32, PlanError> {
        Ok(self.resolve()?.into_iter().max().unwrap_or(0))
    }

    /// Works the profile back from a release date: each milestone with its due date, in the
    /// profile's order.
    ///
    /// # Errors
    /// As [`Self::resolve`], or [`PlanError::DateOutOfRange`] for a release date outside
    /// [`MIN_PLAN_YEAR`]..=[`MAX_PLAN_YEAR`].
    pub fn schedule(&self, release_date: NaiveDate) -> Result<Vec<ScheduledMilestone>, PlanError> {
        check_date(release_date)?;
        let offsets = self.resolve()?;
        self.milestones
            .iter()
            .zip(offsets)
            .map(|(m, days_before)| {
                Ok(ScheduledMilestone {
                    name: m.name.trim().to_owned(),
                    format: self.format,
                    days_before,
                    due: add_days(release_date, -i64::from(days_before))?,
                })
            })
            .collect()
    }
}

/// Refuses dates outside [`MIN_PLAN_YEAR`]..=[`MAX_PLAN_YEAR`].
///
/// # Errors
/// [`PlanError::DateOutOfRange`].
pub fn check_date(date: NaiveDate) -> Result<(), PlanError> {
    if (MIN_PLAN_YEAR..=MAX_PLAN_YEAR).contains(&date.year()) {
        Ok(())
    } else {
        Err(PlanError::DateOutOfRange { date })
    }
}

/// `date` moved by `days` (negative: earlier).
///
/// # Errors
/// [`PlanError::DateOutOfRange`] when the result leaves the planning range.
pub fn add_days(date: NaiveDate, days: i64) -> Result<NaiveDate, PlanError> {
    let moved = if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    let moved = moved.ok_or(PlanError::DateOutOfRange { date })?;
    check_date(moved)?;
    Ok(moved)
}

/// Days from `from` to `to` (negative when `to` is earlier).
#[must_use]
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// The built-in vinyl milestones (shared by 12", 10" and 7").
fn vinyl_milestones() -> Vec<MilestoneTemplate> {
    vec![
        MilestoneTemplate::before_release(MASTERS_FINAL, 98),
        MilestoneTemplate::after("Lacquer cut", MASTERS_FINAL, 7),
        MilestoneTemplate::after("Test pressings received", "Lacquer cut", 21),
        MilestoneTemplate::after("Test pressings approved", "Test pressings received", 7),
        MilestoneTemplate::after("Pressing finished", "Test pressings approved", 35),
        MilestoneTemplate::before_release("Stock at distributor", 14),
    ]
}

/// The profile Labeldesk ships for a format kind (`None`: release-wide milestones).
///
/// Vinyl: masters 14 weeks out, lacquer a week later, test pressings three weeks after the
/// cut, a week to approve them, five weeks of pressing, stock at the distributor two weeks
/// before release. CD: replication three weeks after masters. Cassette: four weeks of
/// duplication. Digital: delivery to the distributor 28 days out, the editorial pitch 7 days
/// out. Release-wide: artwork, announcement with pre-order, a single, release day.
#[must_use]
pub fn default_profile(format: Option<FormatKind>) -> LeadTimeProfile {
    let milestones = match format {
        None => vec![
            MilestoneTemplate::before_release("Artwork final", 63),
            MilestoneTemplate::before_release("Announcement", 42),
            MilestoneTemplate::after("Pre-order live", "Announcement", 0),
            MilestoneTemplate::before_release("Lead single out", 28),
            MilestoneTemplate::before_release(RELEASE_DAY, 0),
        ],
        Some(FormatKind::Vinyl12 | FormatKind::Vinyl10 | FormatKind::Vinyl7) => vinyl_milestones(),
        Some(FormatKind::Cd) => vec![
            MilestoneTemplate::before_release(MASTERS_FINAL, 49),
            MilestoneTemplate::after("Replication finished", MASTERS_FINAL, 21),
            MilestoneTemplate::before_release("Stock at distributor", 14),
        ],
        Some(FormatKind::Cassette) => vec![
            MilestoneTemplate::before_release(MASTERS_FINAL, 56),
            MilestoneTemplate::after("Duplication finished", MASTERS_FINAL, 28),
            MilestoneTemplate::before_release("Stock at distributor", 14),
        ],
        Some(FormatKind::Digital) => vec![
            MilestoneTemplate::before_release("Delivery to distributor", 28),
            MilestoneTemplate::before_release("Pitch deadline", 7),
        ],
        Some(FormatKind::Other) => vec![
            MilestoneTemplate::before_release(MASTERS_FINAL, 56),
            MilestoneTemplate::after("Manufacturing finished", MASTERS_FINAL, 28),
            MilestoneTemplate::before_release("Stock at distributor", 14),
        ],
    };
    LeadTimeProfile::new(format, milestones)
}

/// Every built-in profile: release-wide first, then one per format kind.
#[must_use]
pub fn default_profiles() -> Vec<LeadTimeProfile> {
    std::iter::once(None)
        .chain(FormatKind::ALL.iter().copied().map(Some))
        .map(default_profile)
        .collect()
}

/// The profile to use for a format kind: the one for `manufacturer` if there is one, else
/// the kind's default in `profiles`, else the built-in default.
#[must_use]
pub fn profile_for(
    profiles: &[LeadTimeProfile],
    format: Option<FormatKind>,
    manufacturer: &str,
) -> LeadTimeProfile {
    let maker = manufacturer.trim();
    let of_kind = || profiles.iter().filter(|p| p.format == format);
    of_kind()
        .find(|p| !maker.is_empty() && p.manufacturer.trim().eq_ignore_ascii_case(maker))
        .or_else(|| of_kind().find(|p| p.manufacturer.trim().is_empty()))
        .cloned()
        .unwrap_or_else(|| default_profile(format))
}

/// The next Friday on or after `date` (Friday is the global release day).
#[must_use]
pub fn next_friday(date: NaiveDate) -> NaiveDate {
    let ahead =
        (7 + Weekday::Fri.num_days_from_monday() - date.weekday().num_days_from_monday()) % 7;
    date.checked_add_days(Days::new(u64::from(ahead)))
        .unwrap_or(date)
}

/// A gentle note when release day is not a Friday.
#[must_use]
pub fn friday_note(release_date: NaiveDate) -> Option<String> {
    (release_date.weekday() != Weekday::Fri).then(|| {
        format!(
            "{release_date} is a {}: new music usually comes out on Friday, the global release day (next Friday: {}).",
            weekday_name(release_date.weekday()),
            next_friday(release_date)
        )
    })
}

/// "Monday"…"Sunday".
#[must_use]
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// One milestone of a release's plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Milestone {
    /// Row id.
    pub id: MilestoneId,
    /// The release it belongs to.
    pub release_id: ReleaseId,
    /// What has to happen.
    pub name: String,
    /// When it is due.
    pub due: NaiveDate,
    /// To do, done or skipped.
    pub status: MilestoneStatus,
    /// When it was done (only when done).
    pub done_on: Option<NaiveDate>,
    /// Who takes care of it.
    pub owner: String,
    /// Free notes.
    pub notes: String,
    /// The format it belongs to, or `None` for release-wide milestones.
    pub format: Option<FormatKind>,
    /// The release date the due date was worked out for (to offer shifting when it moves).
    pub planned_for: Option<NaiveDate>,
    /// Raised by the catalog on every change (iCalendar `SEQUENCE`).
    pub sequence: u32,
    /// Order within the release's plan.
    pub position: u32,
}

impl Milestone {
    /// A new, unsaved milestone to do.
    #[must_use]
    pub fn new(release_id: ReleaseId, name: impl Into<String>, due: NaiveDate) -> Self {
        Self {
            id: MilestoneId::UNSAVED,
            release_id,
            name: name.into(),
            due,
            status: MilestoneStatus::Todo,
            done_on: None,
            owner: String::new(),
            notes: String::new(),
            format: None,
            planned_for: None,
            sequence: 0,
            position: 0,
        }
    }

    /// "Lacquer cut (12\" vinyl)", or just the name for release-wide milestones.
    #[must_use]
    pub fn title(&self) -> String {
        match self.format {
            Some(kind) => format!("{} ({})", self.name, kind.label()),
            None => self.name.clone(),
        }
    }

    /// The same milestone with text trimmed and the done date kept only when done.
    #[must_use]
    pub fn normalized(mut self) -> Self {
        self.name = self.name.trim().to_owned();
        self.owner = self.owner.trim().to_owned();
        self.notes = self.notes.trim().to_owned();
        if self.status != MilestoneStatus::Done {
            self.done_on = None;
        }
        self
    }

    /// The same milestone marked done on `today` (kept open ones only).
    #[must_use]
    pub fn marked_done(mut self, today: NaiveDate) -> Self {
        self.status = MilestoneStatus::Done;
        self.done_on = Some(today);
        self
    }

    /// Checks the milestone before saving: name required, text lengths, dates in range, a
    /// done date exactly when done.
    ///
    /// # Errors
    /// The first problem found, as a [`ValidationError`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(ValidationError::Required { field: "name" });
        }
        for (field, value, max) in [
            ("name", name, MILESTONE_NAME_MAX_CHARS),
            ("owner", self.owner.trim(), OWNER_MAX_CHARS),
            ("notes", self.notes.trim(), NOTES_MAX_CHARS),
        ] {
            if value.chars().count() > max {
                return Err(ValidationError::TooLong { field, max });
            }
        }
        for date in [Some(self.due), self.done_on, self.planned_for]
            .into_iter()
            .flatten()
        {
            check_date(date).map_err(ValidationError::from)?;
        }
        match (self.status, self.done_on) {
            (MilestoneStatus::Done, None) => Err(ValidationError::Invalid {
                field: "done date",
                reason: "a done milestone needs the date it was done".to_owned(),
            }),
            (MilestoneStatus::Todo | MilestoneStatus::Skipped, Some(_)) => {
                Err(ValidationError::Invalid {
                    field: "done date",
                    reason: "only a done milestone has a done date".to_owned(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Refuses a due date after release day (for dates set by hand).
    ///
    /// # Errors
    /// [`PlanError::DueAfterRelease`].
    pub fn check_due(&self, release_date: Option<NaiveDate>) -> Result<(), PlanError> {
        match release_date {
            Some(release) if self.due > release => Err(PlanError::DueAfterRelease {
                milestone: self.name.trim().to_owned(),
                due: self.due,
                release,
            }),
            _ => Ok(()),
        }
    }
}

/// Generates a release's milestones from its release date and formats: the release-wide
/// profile, then one profile per distinct format kind (the manufacturer's if `manufacturers`
/// names one for that kind), sorted by due date. Positions follow that order; every
/// milestone records the release date it was planned for.
///
/// # Errors
/// [`PlanError::NoReleaseDate`] without a date, [`PlanError::ReleaseDayPassed`] when the
/// date is before `today`, [`PlanError::DateOutOfRange`], or a profile's own error.
pub fn plan_release(
    release_id: ReleaseId,
    title: &str,
    release_date: Option<NaiveDate>,
    formats: &[FormatKind],
    profiles: &[LeadTimeProfile],
    manufacturers: &[(FormatKind, String)],
    today: NaiveDate,
) -> Result<Vec<Milestone>, PlanError> {
    let Some(release_date) = release_date else {
        return Err(PlanError::NoReleaseDate {
            title: title.trim().to_owned(),
        });
    };
    check_date(release_date)?;
    if release_date < today {
        return Err(PlanError::ReleaseDayPassed { date: release_date });
    }
    let mut kinds: Vec<FormatKind> = Vec::new();
    for &kind in formats {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let mut scheduled = profile_for(profiles, None, "").schedule(release_date)?;
    for kind in kinds {
        let maker = manufacturers
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or("", |(_, m)| m.as_str());
        scheduled.extend(profile_for(profiles, Some(kind), maker).schedule(release_date)?);
    }
    // Stable: same-day milestones keep profile order (release-wide first).
    scheduled.sort_by_key(|m| m.due);
    Ok(scheduled
        .into_iter()
        .enumerate()
        .map(|(i, s)| Milestone {
            format: s.format,
            planned_for: Some(release_date),
            position: u32::try_from(i).unwrap_or(u32::MAX),
            ..Milestone::new(release_id, s.name, s.due)
        })
        .collect())
}

/// The milestones of `generated` that `existing` lacks (same name and format), for adding
/// what a later-added format needs to an existing plan. Positions continue after `existing`.
#[must_use]
pub fn missing_milestones(existing: &[Milestone], generated: Vec<Milestone>) -> Vec<Milestone> {
    let next = existing.iter().map(|m| m.position + 1).max().unwrap_or(0);
    generated
        .into_iter()
        .filter(|g| {
            !existing
                .iter()
                .any(|e| e.format == g.format && e.name.trim().eq_ignore_ascii_case(g.name.trim()))
        })
        .enumerate()
        .map(|(i, mut m)| {
            m.position = next.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
            m
        })
        .collect()
}

/// How much lead time one format still needs before release day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatNeed {
    /// The format kind.
    pub format: FormatKind,
    /// Days of work still ahead of release day.
    pub lead_days: u32,
}

/// What each format of a release still needs: from its open milestones when the plan has
/// some for that kind (release day minus the earliest open due date), else from its profile's
/// full lead time. Kinds whose milestones are all done or skipped need nothing.
#[must_use]
pub fn format_needs(
    release_date: NaiveDate,
    formats: &[FormatKind],
    milestones: &[Milestone],
    profiles: &[LeadTimeProfile],
) -> Vec<FormatNeed> {
    let mut needs: Vec<FormatNeed> = Vec::new();
    for &kind in formats {
        if needs.iter().any(|n| n.format == kind) {
            continue;
        }
        let planned: Vec<&Milestone> = milestones
            .iter()
            .filter(|m| m.format == Some(kind))
            .collect();
        let lead_days = if planned.is_empty() {
            profile_for(profiles, Some(kind), "")
                .lead_days()
                .unwrap_or(0)
        } else {
            planned
                .iter()
                .filter(|m| m.status.is_open())
                .map(|m| days_between(m.due, release_date).max(0))
                .max()
                .map_or(0, |d| u32::try_from(d).unwrap_or(u32::MAX))
        };
        needs.push(FormatNeed {
            format: kind,
            lead_days,
        });
    }
    needs
}

/// Whether one format can make the release date, from today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatFeasibility {
    /// The format kind.
    pub format: FormatKind,
    /// Days of work still ahead.
    pub lead_days: u32,
    /// Today plus that lead time.
    pub earliest: NaiveDate,
    /// True when the release date is on or after `earliest`.
    pub feasible: bool,
}

impl FormatFeasibility {
    /// "12\" vinyl needs 98 more days: earliest feasible release 2027-03-04".
    #[must_use]
    pub fn message(&self) -> String {
        let unit = if self.lead_days == 1 { "day" } else { "days" };
        format!(
            "{} needs {} more {unit}: earliest feasible release {}",
            self.format.label(),
            self.lead_days,
            self.earliest
        )
    }
}

/// Whether a release date can be met, per format and overall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feasibility {
    /// The release date judged.
    pub release_date: NaiveDate,
    /// One entry per format kind.
    pub formats: Vec<FormatFeasibility>,
    /// The earliest date every format can make (today when there is nothing to make).
    pub earliest: NaiveDate,
    /// `earliest` moved on to the next Friday, the global release day.
    pub earliest_friday: NaiveDate,
}

impl Feasibility {
    /// True when every format can make the release date.
    #[must_use]
    pub fn is_feasible(&self) -> bool {
        self.formats.iter().all(|f| f.feasible)
    }

    /// The formats that cannot make it.
    pub fn problems(&self) -> impl Iterator<Item = &FormatFeasibility> {
        self.formats.iter().filter(|f| !f.feasible)
    }
}

/// Judges a release date from today: each format needs its lead time from today; the earliest
/// feasible date overall is the latest of those, and its Friday is suggested as release day.
#[must_use]
pub fn feasibility(today: NaiveDate, release_date: NaiveDate, needs: &[FormatNeed]) -> Feasibility {
    let formats: Vec<FormatFeasibility> = needs
        .iter()
        .map(|need| {
            let earliest = today
                .checked_add_days(Days::new(u64::from(need.lead_days)))
                .unwrap_or(NaiveDate::MAX);
            FormatFeasibility {
                format: need.format,
                lead_days: need.lead_days,
                earliest,
                feasible: release_date >= earliest,
            }
        })
        .collect();
    let earliest = formats
        .iter()
        .map(|f| f.earliest)
        .max()
        .unwrap_or(today)
        .max(today);
    Feasibility {
        release_date,
        formats,
        earliest,
        earliest_friday: next_friday(earliest),
    }
}

/// The open milestones planned for another release date, moved by as many days as the release
/// date moved, and marked as planned for `release_date`. Done and skipped ones stay.
///
/// # Errors
/// [`PlanError::DateOutOfRange`] when a moved date leaves the planning range.
pub fn shift_open(
    milestones: &[Milestone],
    release_date: NaiveDate,
) -> Result<Vec<Milestone>, PlanError> {
    check_date(release_date)?;
    milestones
        .iter()
        .filter(|m| m.status.is_open())
        .filter_map(|m| {
            let old = m.planned_for?;
            (old != release_date).then_some((m, old))
        })
        .map(|(m, old)| {
            let mut moved = m.clone();
            moved.due = add_days(m.due, days_between(old, release_date))?;
            moved.planned_for = Some(release_date);
            Ok(moved)
        })
        .collect()
}

/// When open milestones were planned for another date: that date (the most common one) and
/// how many open milestones would move.
#[must_use]
pub fn pending_shift(
    milestones: &[Milestone],
    release_date: NaiveDate,
) -> Option<(NaiveDate, usize)> {
    let mut counts: Vec<(NaiveDate, usize)> = Vec::new();
    for m in milestones.iter().filter(|m| m.status.is_open()) {
        if let Some(old) = m.planned_for.filter(|d| *d != release_date) {
            match counts.iter_mut().find(|(d, _)| *d == old) {
                Some((_, n)) => *n += 1,
                None => counts.push((old, 1)),
            }
        }
    }
    let total = counts.iter().map(|(_, n)| n).sum();
    counts
        .iter()
        .max_by_key(|(d, n)| (*n, std::cmp::Reverse(*d)))
        .map(|(d, _)| (*d, total))
}

/// A status change the plan suggests (never applied without the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSuggestion {
    /// The suggested status.
    pub status: ReleaseStatus,
    /// The question to ask, e.g. "Masters are final: mark the release In production?".
    pub question: String,
}

/// What the plan suggests for the release's status: Released once release day has passed (or
/// its milestone is done), In production once masters are final, Planned once there is a plan.
#[must_use]
pub fn suggest_status(
    status: ReleaseStatus,
    release_date: Option<NaiveDate>,
    milestones: &[Milestone],
    today: NaiveDate,
) -> Option<StatusSuggestion> {
    let done = |name: &str| {
        milestones
            .iter()
            .any(|m| m.status == MilestoneStatus::Done && m.name.trim().eq_ignore_ascii_case(name))
    };
    let suggest = |status: ReleaseStatus, text: &str| {
        Some(StatusSuggestion {
            status,
            question: format!("{text}: mark the release {}?", status.label()),
        })
    };
    let before = |s: ReleaseStatus| status < s;
    if before(ReleaseStatus::Released)
        && (done(RELEASE_DAY) || release_date.is_some_and(|d| d <= today))
    {
        return suggest(ReleaseStatus::Released, "Release day has come");
    }
    if before(ReleaseStatus::InProduction) && done(MASTERS_FINAL) {
        return suggest(ReleaseStatus::InProduction, "Masters are final");
    }
    if before(ReleaseStatus::Planned) && !milestones.is_empty() {
        return suggest(ReleaseStatus::Planned, "This release has a plan");
    }
    None
}

/// Which part of the agenda a due date belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgendaBucket {
    /// Due before today.
    Overdue,
    /// Due today or in the next six days.
    ThisWeek,
    /// Due in 7 to 30 days.
    Next30Days,
}

impl AgendaBucket {
    /// Every bucket, in display order.
    pub const ALL: &[Self] = &[Self::Overdue, Self::ThisWeek, Self::Next30Days];

    /// The heading shown for the bucket.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Overdue => "Overdue",
            Self::ThisWeek => "This week",
            Self::Next30Days => "Next 30 days",
        }
    }

    /// The bucket of an open milestone due on `due`, or `None` when it is further out.
    #[must_use]
    pub fn of(due: NaiveDate, today: NaiveDate) -> Option<Self> {
        match days_between(today, due) {
            d if d < 0 => Some(Self::Overdue),
            0..=6 => Some(Self::ThisWeek),
            7..=30 => Some(Self::Next30Days),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn dues(schedule: &[ScheduledMilestone]) -> Vec<(&str, NaiveDate)> {
        schedule.iter().map(|s| (s.name.as_str(), s.due)).collect()
    }

    #[test]
    fn vinyl_works_back_from_a_friday() {
        // Release Friday 2027-03-05. Masters 98 days before: 2026-11-27 (March 5 → Feb 5 is
        // 28 days, → Jan 5 is 59, → Dec 5 is 90, → Nov 27 is 98).
        let schedule = default_profile(Some(FormatKind::Vinyl12))
            .schedule(d(2027, 3, 5))
            .expect("schedule");
        assert_eq!(
            dues(&schedule),
            [
                ("Masters final", d(2026, 11, 27)),
                ("Lacquer cut", d(2026, 12, 4)),
                ("Test pressings received", d(2026, 12, 25)),
                ("Test pressings approved", d(2027, 1, 1)),
                ("Pressing finished", d(2027, 2, 5)),
                ("Stock at distributor", d(2027, 2, 19)),
            ]
        );
        let days: Vec<u32> = schedule.iter().map(|s| s.days_before).collect();
        assert_eq!(days, [98, 91, 70, 63, 28, 14]);
        assert!(
            schedule
                .iter()
                .all(|s| s.format == Some(FormatKind::Vinyl12))
        );
    }

    #[test]
    fn schedules_cross_leap_days() {
        // 2028 is a leap year: 2028-03-03 minus 28 days is 2028-02-04 (Feb has 29 days).
        let digital = default_profile(Some(FormatKind::Digital));
        assert_eq!(
            dues(&digital.schedule(d(2028, 3, 3)).expect("schedule")),
            [
                ("Delivery to distributor", d(2028, 2, 4)),
                ("Pitch deadline", d(2028, 2, 25)),
            ]
        );
        // 2027 is not: 2027-03-05 minus 28 days is 2027-02-05.
        assert_eq!(
            dues(&digital.schedule(d(2027, 3, 5)).expect("schedule")),
            [
                ("Delivery to distributor", d(2027, 2, 5)),
                ("Pitch deadline", d(2027, 2, 26)),
            ]
        );
        // One day before 1 March is the 29th in a leap year, the 28th otherwise; 2100 is not
        // a leap year (divisible by 100, not by 400), 2000 was.
        let one = LeadTimeProfile::new(None, vec![MilestoneTemplate::before_release("Eve", 1)]);
        for (release, eve) in [
            (d(2028, 3, 1), d(2028, 2, 29)),
            (d(2027, 3, 1), d(2027, 2, 28)),
            (d(2100, 3, 1), d(2100, 2, 28)),
            (d(2000, 3, 1), d(2000, 2, 29)),
        ] {
            assert_eq!(one.schedule(release).expect("schedule")[0].due, eve);
        }
        // A CD for 2028-03-31: masters 49 days before = 2028-02-11; replication 21 days
        // later = 2028-03-03; stock 14 days before = 2028-03-17.
        assert_eq!(
            dues(
                &default_profile(Some(FormatKind::Cd))
                    .schedule(d(2028, 3, 31))
                    .expect("schedule")
            ),
            [
                ("Masters final", d(2028, 2, 11)),
                ("Replication finished", d(2028, 3, 3)),
                ("Stock at distributor", d(2028, 3, 17)),
            ]
        );
    }

    #[test]
    fn every_format_kind_has_a_valid_default() {
        let all = default_profiles();
        assert_eq!(all.len(), FormatKind::ALL.len() + 1);
        assert_eq!(all[0].format, None);
        for &kind in FormatKind::ALL {
            let profile = default_profile(Some(kind));
            assert_eq!(profile.format, Some(kind));
            assert!(profile.manufacturer.is_empty());
            assert_eq!(profile.validate(), Ok(()), "{kind}");
            assert!(profile.lead_days().expect("lead") > 0, "{kind}");
            assert!(all.contains(&profile));
        }
        let lead = |k| default_profile(Some(k)).lead_days().expect("lead");
        assert_eq!(lead(FormatKind::Vinyl12), 98);
        assert_eq!(lead(FormatKind::Vinyl7), 98);
        assert_eq!(lead(FormatKind::Cd), 49);
        assert_eq!(lead(FormatKind::Cassette), 56);
        assert_eq!(lead(FormatKind::Digital), 28);
        let names = |k| -> Vec<String> {
            default_profile(k)
                .milestones
                .into_iter()
                .map(|m| m.name)
                .collect()
        };
        assert_eq!(
            names(Some(FormatKind::Vinyl10)),
            [
                "Masters final",
                "Lacquer cut",
                "Test pressings received",
                "Test pressings approved",
                "Pressing finished",
                "Stock at distributor"
            ]
        );
        assert_eq!(
            names(None),
            [
                "Artwork final",
                "Announcement",
                "Pre-order live",
                "Lead single out",
                "Release day"
            ]
        );
        // Digital: delivery at least 28 days out, the pitch at least 7.
        let digital = default_profile(Some(FormatKind::Digital))
            .resolve()
            .expect("resolve");
        assert!(digital[0] >= 28 && digital[1] >= 7);
        assert_eq!(default_profile(None).validate(), Ok(()));
    }

    #[test]
    fn bad_profiles_say_what_is_wrong() {
        let profile = |milestones| LeadTimeProfile::new(Some(FormatKind::Cd), milestones);
        let cycle = profile(vec![
            MilestoneTemplate::after("A", "C", 1),
            MilestoneTemplate::after("B", "A", 1),
            MilestoneTemplate::after("C", "B", 1),
        ]);
        match cycle.validate() {
            Err(PlanError::Cycle { path }) => {
                assert_eq!(path.first(), path.last());
                assert_eq!(path.len(), 4);
            }
            other => panic!("expected a cycle, got {other:?}"),
        }
        let message = cycle
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.starts_with("these milestones follow each other in a circle: “"),
            "{message}"
        );
        let selfish = profile(vec![MilestoneTemplate::after("A", "a", 0)]);
        assert!(matches!(selfish.validate(), Err(PlanError::Cycle { .. })));

        let late = profile(vec![
            MilestoneTemplate::before_release("Masters", 10),
            MilestoneTemplate::after("Replication", "Masters", 7),
            MilestoneTemplate::after("Stock", "Replication", 7),
        ]);
        assert_eq!(
            late.validate(),
            Err(PlanError::AfterRelease {
                milestone: "Stock".into(),
                days: 4
            })
        );
        assert_eq!(
            late.validate().err().map(|e| e.to_string()).as_deref(),
            Some(
                "“Stock” would fall 4 days after release day: every milestone must come on or before it"
            )
        );
        assert_eq!(
            profile(vec![MilestoneTemplate::before_release("Masters", 731)]).validate(),
            Err(PlanError::OffsetOutOfRange {
                milestone: "Masters".into(),
                days: 731,
                max: 730
            })
        );
        assert_eq!(
            profile(vec![MilestoneTemplate::before_release("Masters", 730)]).lead_days(),
            Ok(730)
        );
        assert_eq!(
            profile(vec![MilestoneTemplate::after("Stock", "Glass master", 3)]).validate(),
            Err(PlanError::UnknownAnchor {
                milestone: "Stock".into(),
                anchor: "Glass master".into()
            })
        );
        assert!(matches!(
            profile(vec![
                MilestoneTemplate::before_release("Masters", 3),
                MilestoneTemplate::before_release(" masters ", 2),
            ])
            .validate(),
            Err(PlanError::DuplicateName { .. })
        ));
        assert!(matches!(
            profile(vec![MilestoneTemplate::before_release("  ", 3)]).validate(),
            Err(PlanError::BadName { position: 1, .. })
        ));
        assert_eq!(
            profile(Vec::new()).validate(),
            Err(PlanError::NoMilestones {
                profile: "CD".into()
            })
        );
        // Every problem can be shown as a validation error of a form field.
        let as_validation: ValidationError = PlanError::NoReleaseDate { title: "X".into() }.into();
        assert_eq!(as_validation.field(), "date");
    }

    #[test]
    fn planning_a_release_and_refusals() {
        let today = d(2026, 11, 26);
        let release = ReleaseId(7);
        let plan = plan_release(
            release,
            "Tides",
            Some(d(2027, 3, 5)),
            &[
                FormatKind::Vinyl12,
                FormatKind::Digital,
                FormatKind::Vinyl12,
            ],
            &default_profiles(),
            &[],
            today,
        )
        .expect("plan");
        assert_eq!(plan.len(), 5 + 6 + 2);
        assert!(
            plan.windows(2).all(|w| w[0].due <= w[1].due),
            "sorted by due date"
        );
        let positions: Vec<u32> = plan.iter().map(|m| m.position).collect();
        assert_eq!(positions, (0..13).collect::<Vec<_>>());
        assert!(plan.iter().all(|m| m.release_id == release
            && m.status == MilestoneStatus::Todo
            && m.planned_for == Some(d(2027, 3, 5))
            && m.id.is_unsaved()));
        let first = &plan[0];
        assert_eq!(
            (first.name.as_str(), first.due),
            ("Masters final", d(2026, 11, 27))
        );
        let last = plan.last().expect("release day");
        assert_eq!(
            (last.name.as_str(), last.due, last.format),
            ("Release day", d(2027, 3, 5), None)
        );
        let delivery = plan
            .iter()
            .find(|m| m.name == "Delivery to distributor")
            .expect("digital");
        assert_eq!(delivery.due, d(2027, 2, 5));
        assert_eq!(delivery.format, Some(FormatKind::Digital));

        assert_eq!(
            plan_release(release, " Tides ", None, &[], &[], &[], today),
            Err(PlanError::NoReleaseDate {
                title: "Tides".into()
            })
        );
        assert_eq!(
            plan_release(release, "T", Some(d(2026, 11, 25)), &[], &[], &[], today),
            Err(PlanError::ReleaseDayPassed {
                date: d(2026, 11, 25)
            })
        );
        assert_eq!(
            plan_release(release, "T", Some(d(2999, 1, 1)), &[], &[], &[], today),
            Err(PlanError::DateOutOfRange {
                date: d(2999, 1, 1)
            })
        );
        // Release day itself may be today (it is then infeasible, not refused).
        assert!(plan_release(release, "T", Some(today), &[], &[], &[], today).is_ok());
    }

    #[test]
    fn a_plants_profile_is_preferred_for_its_kind() {
        let mut plant = default_profile(Some(FormatKind::Vinyl12));
        plant.manufacturer = "Optimal Media".into();
        plant.milestones[0] = MilestoneTemplate::before_release(MASTERS_FINAL, 140);
        let mut profiles = default_profiles();
        profiles.push(plant.clone());
        assert_eq!(
            profile_for(&profiles, Some(FormatKind::Vinyl12), "optimal media "),
            plant
        );
        assert_eq!(
            profile_for(&profiles, Some(FormatKind::Vinyl12), ""),
            default_profile(Some(FormatKind::Vinyl12))
        );
        assert_eq!(
            profile_for(&[], Some(FormatKind::Cd), "Anyone"),
            default_profile(Some(FormatKind::Cd))
        );
        assert_eq!(plant.display_name(), "12\" vinyl, Optimal Media");
        let plan = plan_release(
            ReleaseId(1),
            "T",
            Some(d(2027, 6, 4)),
            &[FormatKind::Vinyl12],
            &profiles,
            &[(FormatKind::Vinyl12, "Optimal Media".into())],
            d(2026, 11, 26),
        )
        .expect("plan");
        assert_eq!(plan[0].name, MASTERS_FINAL);
        assert_eq!(plan[0].due, d(2027, 1, 15), "140 days before 2027-06-04");
    }

    #[test]
    fn feasibility_from_today() {
        let today = d(2026, 11, 26); // a Thursday
        let needs = format_needs(
            d(2027, 1, 8),
            &[FormatKind::Vinyl12, FormatKind::Digital],
            &[],
            &default_profiles(),
        );
        assert_eq!(
            needs,
            [
                FormatNeed {
                    format: FormatKind::Vinyl12,
                    lead_days: 98
                },
                FormatNeed {
                    format: FormatKind::Digital,
                    lead_days: 28
                }
            ]
        );
        let verdict = feasibility(today, d(2027, 1, 8), &needs);
        assert!(!verdict.is_feasible());
        let problems: Vec<String> = verdict.problems().map(FormatFeasibility::message).collect();
        // 2026-11-26 + 98 days: +4 → Nov 30, +31 → Dec 31 (35), +31 → Jan 31 (66), +28 → Feb
        // 28 (94), +4 → 2027-03-04.
        assert_eq!(
            problems,
            ["12\" vinyl needs 98 more days: earliest feasible release 2027-03-04"]
        );
        assert!(
            verdict.formats[1].feasible,
            "digital makes it: 2026-12-24 ≤ 2027-01-08"
        );
        assert_eq!(verdict.formats[1].earliest, d(2026, 12, 24));
        assert_eq!(verdict.earliest, d(2027, 3, 4));
        assert_eq!(verdict.earliest_friday, d(2027, 3, 5));

        // On the earliest date itself it is feasible.
        assert!(feasibility(today, d(2027, 3, 4), &needs).is_feasible());
        // Nothing to make: today, rounded to Friday.
        let none = feasibility(today, d(2027, 1, 8), &[]);
        assert!(none.is_feasible());
        assert_eq!(
            (none.earliest, none.earliest_friday),
            (today, d(2026, 11, 27))
        );
        // Over a leap day: 2028-02-01 + 28 days = 2028-02-29.
        let leap = feasibility(
            d(2028, 2, 1),
            d(2028, 2, 28),
            &[FormatNeed {
                format: FormatKind::Digital,
                lead_days: 28,
            }],
        );
        assert_eq!(leap.earliest, d(2028, 2, 29));
        assert!(!leap.is_feasible());
        assert_eq!(leap.earliest_friday, d(2028, 3, 3));
    }

    #[test]
    fn a_plan_in_progress_needs_only_what_is_open() {
        let release_date = d(2027, 3, 5);
        let mut plan = plan_release(
            ReleaseId(1),
            "T",
            Some(release_date),
            &[FormatKind::Vinyl12, FormatKind::Cd],
            &default_profiles(),
            &[],
            d(2026, 11, 1),
        )
        .expect("plan");
        for m in &mut plan {
            if m.format == Some(FormatKind::Vinyl12) && m.name == MASTERS_FINAL {
                *m = m.clone().marked_done(d(2026, 11, 20));
            }
            if m.format == Some(FormatKind::Cd) {
                m.status = MilestoneStatus::Skipped;
            }
        }
        let needs = format_needs(
            release_date,
            &[FormatKind::Vinyl12, FormatKind::Cd, FormatKind::Cassette],
            &plan,
            &default_profiles(),
        );
        // Vinyl: the lacquer cut (91 days out) is the earliest open one; CD is all skipped;
        // cassette has no milestones yet, so its profile counts.
        let leads: Vec<(FormatKind, u32)> = needs.iter().map(|n| (n.format, n.lead_days)).collect();
        assert_eq!(
            leads,
            [
                (FormatKind::Vinyl12, 91),
                (FormatKind::Cd, 0),
                (FormatKind::Cassette, 56)
            ]
        );
        // Today 2026-12-05: the lacquer cut (due 2026-12-04) is a day late, so vinyl now
        // needs until 2027-03-06.
        let verdict = feasibility(d(2026, 12, 5), release_date, &needs);
        assert_eq!(
            verdict
                .problems()
                .map(FormatFeasibility::message)
                .collect::<Vec<_>>(),
            ["12\" vinyl needs 91 more days: earliest feasible release 2027-03-06"]
        );
        assert_eq!(verdict.earliest_friday, d(2027, 3, 12));
    }

    #[test]
    fn fridays() {
        assert_eq!(next_friday(d(2026, 11, 26)), d(2026, 11, 27));
        assert_eq!(next_friday(d(2026, 11, 27)), d(2026, 11, 27));
        assert_eq!(next_friday(d(2026, 11, 28)), d(2026, 12, 4));
        assert_eq!(next_friday(d(2028, 2, 26)), d(2028, 3, 3));
        assert_eq!(friday_note(d(2027, 3, 5)), None);
        assert_eq!(
            friday_note(d(2027, 3, 10)).as_deref(),
            Some(
                "2027-03-10 is a Wednesday: new music usually comes out on Friday, the global release day (next Friday: 2027-03-12)."
            )
        );
    }

    #[test]
    fn moving_the_release_date_shifts_open_milestones() {
        let old_date = d(2027, 3, 5);
        let mut plan = plan_release(
            ReleaseId(1),
            "T",
            Some(old_date),
            &[FormatKind::Digital],
            &default_profiles(),
            &[],
            d(2026, 11, 26),
        )
        .expect("plan");
        plan[0] = plan[0].clone().marked_done(d(2026, 12, 1)); // Artwork final
        assert_eq!(pending_shift(&plan, old_date), None);
        assert!(shift_open(&plan, old_date).expect("shift").is_empty());

        // Two weeks later, over the end of February (2027: 28 days).
        let new_date = d(2027, 3, 19);
        assert_eq!(pending_shift(&plan, new_date), Some((old_date, 6)));
        let moved = shift_open(&plan, new_date).expect("shift");
        assert_eq!(moved.len(), 6, "the done one stays");
        let dues: Vec<(&str, NaiveDate)> = moved.iter().map(|m| (m.name.as_str(), m.due)).collect();
        assert_eq!(
            dues,
            [
                ("Announcement", d(2027, 2, 5)),
                ("Pre-order live", d(2027, 2, 5)),
                ("Lead single out", d(2027, 2, 19)),
                ("Delivery to distributor", d(2027, 2, 19)),
                ("Pitch deadline", d(2027, 3, 12)),
                ("Release day", d(2027, 3, 19)),
            ]
        );
        assert!(moved.iter().all(|m| m.planned_for == Some(new_date)));

        // A week earlier, into a leap February: a milestone on 2028-03-01 moves to 2028-02-23
        // (2028-02-29 exists).
        let mut m = Milestone::new(ReleaseId(1), "Eve", d(2028, 3, 1));
        m.planned_for = Some(d(2028, 3, 8));
        let moved = shift_open(&[m], d(2028, 3, 1)).expect("shift");
        assert_eq!(moved[0].due, d(2028, 2, 23));
    }

    #[test]
    fn milestone_validation() {
        let mut m = Milestone::new(ReleaseId(1), "Lacquer cut", d(2027, 1, 4));
        assert_eq!(m.validate(), Ok(()));
        m.status = MilestoneStatus::Done;
        assert_eq!(m.validate().map_err(|e| e.field()), Err("done date"));
        m = m.marked_done(d(2027, 1, 2));
        assert_eq!(m.validate(), Ok(()));
        m.status = MilestoneStatus::Skipped;
        assert_eq!(m.validate().map_err(|e| e.field()), Err("done date"));
        m = m.normalized();
        assert_eq!((m.done_on, m.validate()), (None, Ok(())));
        m.name = "  ".into();
        assert_eq!(
            m.validate(),
            Err(ValidationError::Required { field: "name" })
        );
        m.name = "x".repeat(201);
        assert!(matches!(
            m.validate(),
            Err(ValidationError::TooLong { max: 200, .. })
        ));
        m.name = "Cut".into();
        m.due = d(1066, 10, 14);
        assert_eq!(m.validate().map_err(|e| e.field()), Err("date"));
        m.due = d(2027, 3, 6);
        assert_eq!(
            m.check_due(Some(d(2027, 3, 5)))
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some(
                "“Cut” would be due 2027-03-06, after release day 2027-03-05: pick a date on or before it"
            )
        );
        assert_eq!(m.check_due(Some(d(2027, 3, 6))), Ok(()));
        assert_eq!(m.check_due(None), Ok(()));
        m.format = Some(FormatKind::Vinyl7);
        assert_eq!(m.title(), "Cut (7\" vinyl)");
        assert_eq!(
            MilestoneStatus::from_code(" DONE "),
            Ok(MilestoneStatus::Done)
        );
        assert_eq!(
            MilestoneStatus::from_code("To do"),
            Ok(MilestoneStatus::Todo)
        );
        assert!(MilestoneStatus::from_code("maybe").is_err());
    }

    #[test]
    fn status_suggestions_follow_the_plan() {
        let today = d(2027, 1, 10);
        let release = Some(d(2027, 3, 5));
        let mut plan = plan_release(
            ReleaseId(1),
            "T",
            release,
            &[FormatKind::Vinyl12],
            &default_profiles(),
            &[],
            d(2026, 11, 1),
        )
        .expect("plan");
        assert_eq!(
            suggest_status(ReleaseStatus::Idea, release, &[], today),
            None
        );
        assert_eq!(
            suggest_status(ReleaseStatus::Idea, release, &plan, today).map(|s| s.status),
            Some(ReleaseStatus::Planned)
        );
        assert_eq!(
            suggest_status(ReleaseStatus::Planned, release, &plan, today),
            None
        );
        let masters = plan
            .iter()
            .position(|m| m.name == MASTERS_FINAL)
            .expect("masters");
        plan[masters] = plan[masters].clone().marked_done(today);
        assert_eq!(
            suggest_status(ReleaseStatus::Planned, release, &plan, today),
            Some(StatusSuggestion {
                status: ReleaseStatus::InProduction,
                question: "Masters are final: mark the release In production?".into()
            })
        );
        assert_eq!(
            suggest_status(ReleaseStatus::InProduction, release, &plan, today),
            None
        );
        assert_eq!(
            suggest_status(ReleaseStatus::InProduction, release, &plan, d(2027, 3, 5))
                .map(|s| s.status),
            Some(ReleaseStatus::Released)
        );
        assert_eq!(
            suggest_status(ReleaseStatus::Released, release, &plan, d(2027, 3, 5)),
            None
        );
    }

    #[test]
    fn agenda_buckets() {
        let today = d(2026, 12, 29);
        assert_eq!(
            AgendaBucket::of(d(2026, 12, 28), today),
            Some(AgendaBucket::Overdue)
        );
        assert_eq!(AgendaBucket::of(today, today), Some(AgendaBucket::ThisWeek));
        assert_eq!(
            AgendaBucket::of(d(2027, 1, 4), today),
            Some(AgendaBucket::ThisWeek)
        );
        assert_eq!(
            AgendaBucket::of(d(2027, 1, 5), today),
            Some(AgendaBucket::Next30Days)
        );
        assert_eq!(
            AgendaBucket::of(d(2027, 1, 28), today),
            Some(AgendaBucket::Next30Days)
        );
        assert_eq!(AgendaBucket::of(d(2027, 1, 29), today), None);
    }

    #[test]
    fn missing_milestones_are_added_after_the_existing_ones() {
        let today = d(2026, 11, 26);
        let date = Some(d(2027, 3, 5));
        let profiles = default_profiles();
        let existing = plan_release(
            ReleaseId(1),
            "T",
            date,
            &[FormatKind::Digital],
            &profiles,
            &[],
            today,
        )
        .expect("plan");
        let wider = plan_release(
            ReleaseId(1),
            "T",
            date,
            &[FormatKind::Digital, FormatKind::Cd],
            &profiles,
            &[],
            today,
        )
        .expect("plan");
        let added = missing_milestones(&existing, wider);
        assert_eq!(added.len(), 3);
        assert!(added.iter().all(|m| m.format == Some(FormatKind::Cd)));
        assert_eq!(added[0].position, 7);
        assert!(missing_milestones(&existing, existing.clone()).is_empty());
    }

    #[test]
    fn anchors_describe_themselves() {
        assert_eq!(
            Anchor::BeforeRelease { days: 0 }.describe(),
            "on release day"
        );
        assert_eq!(
            Anchor::BeforeRelease { days: 1 }.describe(),
            "1 day before release day"
        );
        assert_eq!(
            Anchor::After {
                milestone: "Lacquer cut".into(),
                days: 21
            }
            .describe(),
            "21 days after Lacquer cut"
        );
        assert_eq!(group_label(None), "Release");
        assert_eq!(group_label(Some(FormatKind::Cd)), "CD");
    }
}
