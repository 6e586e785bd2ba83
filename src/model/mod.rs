//! Domain model: validated value types, enum codes and plain entity structs.
//!
//! Everything here is pure Rust (no UI, no SQL) so it can be unit-tested in
//! isolation and shared by the database layer and the user interface.

pub mod barcode;
pub mod catno;
pub mod contract;
pub mod duration;
pub mod entities;
pub mod error;
pub mod ids;
pub mod isrc;
pub mod kinds;
pub mod ledger;
pub mod money;
pub mod plan;
pub mod printable;
pub mod recoup;
pub mod shows;
pub mod statement;

pub use barcode::{Barcode, BarcodeKind, check_digit, looks_like_barcode};
pub use catno::{CatalogNumber, suggest_next_catalog_number};
pub use contract::{
    Contract, ContractErrors, ContractId, ContractProblem, ContractStatus, Deadline, DeadlineKind,
    DealType, MastersOwner, OptionPeriod, Payee, PayeeId, Payment, PaymentId, PeriodKind, RateRule,
    Recoupable, Reserve, RoyaltyBase, Share, SplitScope, SplitSet, StatementId, StatementPeriod,
    Territory, overlaps, share_out, statement_period_for, upcoming_deadlines,
};
pub use duration::TrackDuration;
pub use entities::{
    Artist, Format, Label, Release, ReleaseArtist, ReleaseCatalogNumber, Track, default_sort_name,
    durations_by_side, parse_date, suggest_positions,
};
pub use error::ValidationError;
pub use ids::{ArtistId, CatalogNumberId, FormatId, LabelId, ReleaseId, TrackId};
pub use isrc::{Isrc, looks_like_isrc, validate_isrc_prefix};
pub use kinds::{ArtistRole, ArtistStatus, FormatKind, ReleaseStatus, ReleaseType};
pub use ledger::{
    Amount8, AmountError, Channel, CostCategory, CostLine, CostLineId, ExactAmount, ImportId,
    IncomeLine, IncomeLineId, LineFlags, LineRounder, MatchMapping, MatchedBy, Rate,
    RawIdentifiers,
};
pub use money::{BasisPoints, Currency, Money};
pub use plan::{
    Anchor, Feasibility, FormatFeasibility, LeadTimeProfile, Milestone, MilestoneId,
    MilestoneStatus, MilestoneTemplate, PlanError, ProfileId,
};
pub use statement::{
    CarriedForward, CostInput, EarningsLine, IncomeInput, PaymentInput, Pool, Statement,
    StatementError, StatementInput,
};
