//! Shows and the merch table: stock items (release formats and other merch), stock locations
//! and the movements that explain every stock number, shows, sales with discounts and void
//! records, the end-of-show report, and mailing-list sign-ups.
//!
//! Stock is never stored as a number: it is the sum of the movements of an item at a location
//! (received from the plant +300, sold −2, transferred out −20 / in +20, a count correction…),
//! so the history always explains the figure. A sale is never deleted: "undo last sale" writes
//! a void record that points at it, and the report leaves voided sales out.
//!
//! Money is integer minor units of the show's currency. A percentage discount is rounded half
//! to even on the line's gross ([`BasisPoints::apply`]); the venue's commission is taken on the
//! takings after discounts, rounded the same way, once for the show.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};

use super::error::ValidationError;
use super::ids::{ArtistId, FormatId, id_type};
use super::ledger::code_enum;
use super::money::BasisPoints;

id_type!(
    /// Identifies a place stock is kept.
    LocationId
);
id_type!(
    /// Identifies a non-record merch item (shirt, tote, poster, bundle…).
    MerchId
);
id_type!(
    /// Identifies a show.
    ShowId
);
id_type!(
    /// Identifies a sale (or a void record) at a show.
    SaleId
);
id_type!(
    /// Identifies a stock movement.
    MovementId
);
id_type!(
    /// Identifies a mailing-list sign-up.
    SignupId
);

code_enum!(
    /// What kind of place a stock location is.
    LocationKind, "location kind", {
        Home => "home", "Home / storage";
        Distributor => "distributor", "Distributor";
        Tour => "tour", "Tour box";
        Consignment => "consignment", "Shop (consignment)";
        Other => "other", "Other";
    }
);

code_enum!(
    /// What a merch item is.
    MerchKind, "merch kind", {
        Shirt => "shirt", "Shirt";
        Tote => "tote", "Tote bag";
        Poster => "poster", "Poster";
        Bundle => "bundle", "Bundle";
        Other => "other", "Other";
    }
);

code_enum!(
    /// Why stock moved.
    MovementReason, "stock movement", {
        Received => "received", "Received from the plant";
        Transfer => "transfer", "Transfer";
        Sale => "sale", "Sale";
        SaleVoid => "sale_void", "Sale undone";
        Gift => "gift", "Gift / promo";
        Damaged => "damaged", "Damaged";
        Count => "count", "Count correction";
    }
);

code_enum!(
    /// How a buyer paid.
    Payment, "payment", {
        Cash => "cash", "Cash";
        Card => "card", "Card";
    }
);

/// Something that can be stocked and sold: a release format or a merch item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StockItem {
    Format(FormatId),
    Merch(MerchId),
}

impl fmt::Display for StockItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format(id) => write!(f, "format {id}"),
            Self::Merch(id) => write!(f, "merch item {id}"),
        }
    }
}

/// A place stock is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub id: LocationId,
    pub name: String,
    pub kind: LocationKind,
}

/// A non-record merch item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchItem {
    pub id: MerchId,
    pub kind: MerchKind,
    pub name: String,
    pub artist_id: Option<ArtistId>,
    pub size: String,
    pub colour: String,
    /// Price in minor units of `currency`.
    pub price: i64,
    pub currency: super::money::Currency,
    pub barcode: Option<super::barcode::Barcode>,
    /// Warn when the stock over all locations falls below this.
    pub low_stock: u32,
}

impl MerchItem {
    /// A new, unsaved item.
    #[must_use]
    pub fn new(
        kind: MerchKind,
        name: impl Into<String>,
        price: i64,
        currency: super::money::Currency,
    ) -> Self {
        Self {
            id: MerchId::UNSAVED,
            kind,
            name: name.into(),
            artist_id: None,
            size: String::new(),
            colour: String::new(),
            price,
            currency,
            barcode: None,
            low_stock: 0,
        }
    }

    /// "Tour shirt (M, black)".
    #[must_use]
    pub fn display_name(&self) -> String {
        let details: Vec<&str> = [self.size.trim(), self.colour.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if details.is_empty() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, details.join(", "))
        }
    }

    /// Checks the name and the price.
    ///
    /// # Errors
    /// The first problem found.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.name.trim().is_empty() {
            return Err(ValidationError::Required {
                field: "merch name",
            });
        }
        if self.name.chars().count() > 200 {
            return Err(ValidationError::TooLong {
                field: "merch name",
                max: 200,
            });
        }
        if self.price < 0 {
            return Err(ValidationError::Invalid {
                field: "price",
                reason: "a price cannot be negative".to_owned(),
            });
        }
        for (field, text, max) in [("size", &self.size, 20), ("colour", &self.colour, 40)] {
            if text.chars().count() > max {
                return Err(ValidationError::TooLong { field, max });
            }
        }
        Ok(())
    }
}

/// One change to the stock of an item at a location: positive in, negative out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub item: StockItem,
    pub location: LocationId,
    pub quantity: i64,
    pub reason: MovementReason,
    pub note: String,
}

impl Movement {
    /// Checks a hand-entered movement: a nonzero quantity; receipts positive; gifts and
    /// damage negative.
    ///
    /// # Errors
    /// A [`ValidationError`] saying what is wrong.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let bad = |reason: &str| {
            Err(ValidationError::Invalid {
                field: "quantity",
                reason: reason.to_owned(),
            })
        };
        if self.quantity == 0 {
            return bad("a stock movement needs a quantity other than 0");
        }
        match self.reason {
            MovementReason::Received if self.quantity < 0 => {
                bad("stock received from the plant is a positive quantity")
            }
            MovementReason::Gift | MovementReason::Damaged if self.quantity > 0 => {
                bad("gifts and damaged copies take stock out: use a negative quantity")
            }
            _ => Ok(()),
        }
    }
}

/// The two movements of a transfer of `quantity` of `item` from one location to another.
///
/// # Errors
/// A quantity of 0 or less, or the same location twice.
pub fn transfer(
    item: StockItem,
    from: LocationId,
    to: LocationId,
    quantity: i64,
) -> Result<[Movement; 2], ValidationError> {
    if quantity <= 0 {
        return Err(ValidationError::Invalid {
            field: "quantity",
            reason: "transfer a positive number of copies".to_owned(),
        });
    }
    if from == to {
        return Err(ValidationError::Invalid {
            field: "location",
            reason: "a transfer needs two different locations".to_owned(),
        });
    }
    let leg = |location, quantity| Movement {
        item,
        location,
        quantity,
        reason: MovementReason::Transfer,
        note: String::new(),
    };
    Ok([leg(from, -quantity), leg(to, quantity)])
}

/// Stock per (item, location): the sum of the movements.
#[must_use]
pub fn stock_levels<'a>(
    movements: impl IntoIterator<Item = &'a Movement>,
) -> BTreeMap<(StockItem, LocationId), i64> {
    let mut levels = BTreeMap::new();
    for m in movements {
        *levels.entry((m.item, m.location)).or_insert(0) += m.quantity;
    }
    levels
}

/// A discount on one sale line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Discount {
    #[default]
    None,
    /// A fixed amount off the line, in minor units.
    Fixed(i64),
    /// A percentage off the line.
    Percent(BasisPoints),
}

impl Discount {
    /// Reads "10%" (a percentage) or "2.50" (an amount in `currency`); empty is no discount.
    ///
    /// # Errors
    /// Text that is neither, a negative value, or a percentage over 100.
    pub fn parse(text: &str, currency: super::money::Currency) -> Result<Self, ValidationError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Self::None);
        }
        if text.starts_with('-') {
            return Err(ValidationError::Invalid {
                field: "discount",
                reason: format!("“{text}”: a discount cannot be negative"),
            });
        }
        if text.ends_with('%') {
            let bp = BasisPoints::parse(text).map_err(|e| ValidationError::Invalid {
                field: "discount",
                reason: match e {
                    ValidationError::Percent { reason, .. } => format!("“{text}”: {reason}"),
                    other => other.to_string(),
                },
            })?;
            return Ok(Self::Percent(bp));
        }
        let money =
            super::money::Money::parse(text, currency).map_err(|e| ValidationError::Invalid {
                field: "discount",
                reason: format!("“{text}” is not an amount or a percentage ({e})"),
            })?;
        Ok(Self::Fixed(money.minor))
    }

    /// The amount taken off a line of `gross`.
    ///
    /// # Errors
    /// A fixed discount larger than the line, a negative one, or a percentage over 100.
    pub fn amount(self, gross: i64) -> Result<i64, ValidationError> {
        match self {
            Self::None => Ok(0),
            Self::Fixed(off) if off < 0 => Err(ValidationError::Invalid {
                field: "discount",
                reason: "a discount cannot be negative".to_owned(),
            }),
            Self::Fixed(off) if off > gross => Err(ValidationError::Invalid {
                field: "discount",
                reason: "the discount is more than the price of the sale".to_owned(),
            }),
            Self::Fixed(off) => Ok(off),
            Self::Percent(bp) if bp.0 < 0 || bp.0 > BasisPoints::FULL.0 => {
                Err(ValidationError::Invalid {
                    field: "discount",
                    reason: "a discount is between 0% and 100%".to_owned(),
                })
            }
            Self::Percent(bp) => Ok(bp.apply(gross)),
        }
    }
}

/// What the seller enters for one sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleInput {
    pub item: StockItem,
    /// "Salt in the Wires — 12\" vinyl", kept with the sale.
    pub description: String,
    pub artist_id: Option<ArtistId>,
    pub quantity: i64,
    /// Price of one, in minor units of the show's currency.
    pub unit_price: i64,
    pub discount: Discount,
    pub payment: Payment,
}

/// The money of a sale line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaleAmounts {
    /// quantity × unit price.
    pub gross: i64,
    pub discount: i64,
    /// gross − discount: what the buyer pays.
    pub total: i64,
}

impl SaleInput {
    /// Checks the quantity, price and discount, and works out the line's money.
    ///
    /// # Errors
    /// A quantity below 1, a negative price, a bad discount.
    pub fn amounts(&self) -> Result<SaleAmounts, ValidationError> {
        if self.quantity < 1 {
            return Err(ValidationError::Invalid {
                field: "quantity",
                reason: format!("sell at least 1 (not {})", self.quantity),
            });
        }
        if self.unit_price < 0 {
            return Err(ValidationError::Invalid {
                field: "price",
                reason: "a price cannot be negative".to_owned(),
            });
        }
        let gross =
            self.unit_price
                .checked_mul(self.quantity)
                .ok_or_else(|| ValidationError::Invalid {
                    field: "quantity",
                    reason: "the sale is too large".to_owned(),
                })?;
        let discount = self.discount.amount(gross)?;
        Ok(SaleAmounts {
            gross,
            discount,
            total: gross - discount,
        })
    }
}

/// A sale (or a void record) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    pub id: SaleId,
    pub show_id: ShowId,
    pub sold_at: NaiveDateTime,
    pub item: Option<StockItem>,
    pub description: String,
    pub artist_id: Option<ArtistId>,
    /// The artist's name at the time of the report (empty for label merch).
    pub artist: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub discount: i64,
    pub total: i64,
    pub payment: Payment,
    /// Set on a void record: the sale it undoes.
    pub voids: Option<SaleId>,
}

/// A show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Show {
    pub id: ShowId,
    pub date: NaiveDate,
    pub venue: String,
    pub city: String,
    /// Where the stock for the show travels (sales take stock from here).
    pub location_id: LocationId,
    pub currency: super::money::Currency,
    /// Cash in the box at the start, minor units.
    pub cash_float: i64,
    /// The venue's cut of merch takings.
    pub commission: BasisPoints,
    /// Cash counted at the end, when counted.
    pub cash_counted: Option<i64>,
    pub notes: String,
    /// Artists playing, in billing order.
    pub artists: Vec<ArtistId>,
    /// When the show was closed and its sales sent to the ledger.
    pub closed_at: Option<NaiveDateTime>,
}

impl Show {
    /// A new, unsaved show.
    #[must_use]
    pub fn new(
        date: NaiveDate,
        venue: impl Into<String>,
        location_id: LocationId,
        currency: super::money::Currency,
    ) -> Self {
        Self {
            id: ShowId::UNSAVED,
            date,
            venue: venue.into(),
            city: String::new(),
            location_id,
            currency,
            cash_float: 0,
            commission: BasisPoints::ZERO,
            cash_counted: None,
            notes: String::new(),
            artists: Vec::new(),
            closed_at: None,
        }
    }

    /// "2026-11-28 · The Lexington, London".
    #[must_use]
    pub fn title(&self) -> String {
        if self.city.trim().is_empty() {
            format!("{} · {}", self.date, self.venue)
        } else {
            format!("{} · {}, {}", self.date, self.venue, self.city)
        }
    }

    /// Checks the venue, float and commission.
    ///
    /// # Errors
    /// The first problem found.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.venue.trim().is_empty() {
            return Err(ValidationError::Required { field: "venue" });
        }
        if self.venue.chars().count() > 200 || self.city.chars().count() > 200 {
            return Err(ValidationError::TooLong {
                field: "venue",
                max: 200,
            });
        }
        if self.cash_float < 0 || self.cash_counted.is_some_and(|c| c < 0) {
            return Err(ValidationError::Invalid {
                field: "cash",
                reason: "cash amounts cannot be negative".to_owned(),
            });
        }
        if !(0..=BasisPoints::FULL.0).contains(&self.commission.0) {
            return Err(ValidationError::Invalid {
                field: "commission",
                reason: "the venue's commission is between 0% and 100%".to_owned(),
            });
        }
        Ok(())
    }
}

/// One row of the report: units and takings of one item or one artist.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportRow {
    pub name: String,
    pub units: i64,
    pub takings: i64,
}

/// The end-of-show report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShowReport {
    /// Per item (by description), most takings first.
    pub by_item: Vec<ReportRow>,
    /// Per artist ("Label merch" for items of no artist), most takings first.
    pub by_artist: Vec<ReportRow>,
    /// Sales counted (voided ones left out) and how many were voided.
    pub sales: usize,
    pub voided: usize,
    pub units: i64,
    pub discounts: i64,
    pub cash_sales: i64,
    pub card_sales: i64,
    /// cash + card.
    pub takings: i64,
    /// The venue's commission on the takings.
    pub commission: i64,
    /// Takings − commission.
    pub net: i64,
    /// Float + cash sales: what the cash box should hold.
    pub cash_expected: i64,
    pub cash_counted: Option<i64>,
    /// Counted − expected (negative: cash is missing).
    pub cash_difference: Option<i64>,
}

/// The sales that count: every sale that is not a void record and has not been voided.
pub fn live_sales(sales: &[Sale]) -> impl Iterator<Item = &Sale> {
    let voided: std::collections::HashSet<SaleId> = sales.iter().filter_map(|s| s.voids).collect();
    sales
        .iter()
        .filter(move |s| s.voids.is_none() && !voided.contains(&s.id))
}

impl ShowReport {
    /// Works out the report from the show's sales (void records included).
    #[must_use]
    pub fn compute(show: &Show, sales: &[Sale]) -> Self {
        let mut report = Self::default();
        let mut by_item: BTreeMap<String, ReportRow> = BTreeMap::new();
        let mut by_artist: BTreeMap<String, ReportRow> = BTreeMap::new();
        report.voided = sales.iter().filter(|s| s.voids.is_some()).count();
        for sale in live_sales(sales) {
            report.sales += 1;
            report.units += sale.quantity;
            report.discounts += sale.discount;
            match sale.payment {
                Payment::Cash => report.cash_sales += sale.total,
                Payment::Card => report.card_sales += sale.total,
            }
            for (map, key) in [
                (&mut by_item, sale.description.clone()),
                (
                    &mut by_artist,
                    if sale.artist.is_empty() {
                        "Label merch".to_owned()
                    } else {
                        sale.artist.clone()
                    },
                ),
            ] {
                let row = map.entry(key.clone()).or_insert_with(|| ReportRow {
                    name: key,
                    ..ReportRow::default()
                });
                row.units += sale.quantity;
                row.takings += sale.total;
            }
        }
        report.takings = report.cash_sales + report.card_sales;
        report.commission = show.commission.apply(report.takings);
        report.net = report.takings - report.commission;
        report.cash_expected = show.cash_float + report.cash_sales;
        report.cash_counted = show.cash_counted;
        report.cash_difference = show.cash_counted.map(|c| c - report.cash_expected);
        let sorted = |map: BTreeMap<String, ReportRow>| {
            let mut rows: Vec<ReportRow> = map.into_values().collect();
            rows.sort_by(|a, b| b.takings.cmp(&a.takings).then_with(|| a.name.cmp(&b.name)));
            rows
        };
        report.by_item = sorted(by_item);
        report.by_artist = sorted(by_artist);
        report
    }
}

/// Shares `amount` out over `weights` in proportion, by largest remainder: the parts add up to
/// `amount` exactly. Ties go to the earlier weight. All weights 0: all to the first.
#[must_use]
pub fn allocate(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|&w| i128::from(w.max(0))).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if total == 0 {
        let mut parts = vec![0; weights.len()];
        parts[0] = amount;
        return parts;
    }
    let amount_wide = i128::from(amount);
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let product = amount_wide * i128::from(w.max(0));
        parts.push(product.div_euclid(total));
        remainders.push((product.rem_euclid(total), i));
    }
    let mut left = amount_wide - parts.iter().sum::<i128>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in &remainders {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
        .into_iter()
        .map(|p| i64::try_from(p).unwrap_or(0))
        .collect()
}

/// A mailing-list sign-up at the merch table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signup {
    pub id: SignupId,
    pub show_id: Option<ShowId>,
    pub name: String,
    pub email: String,
    /// When the person ticked "yes, send me news" (UTC).
    pub consented_at: NaiveDateTime,
}

/// Checks an e-mail address and returns it trimmed: one `@`, something before it, a domain
/// with a dot after it, no spaces.
///
/// # Errors
/// [`ValidationError::Invalid`] naming what is wrong.
pub fn validate_email(input: &str) -> Result<String, ValidationError> {
    let email = input.trim();
    let bad = |reason: &str| {
        Err(ValidationError::Invalid {
            field: "e-mail",
            reason: format!("“{email}” {reason}"),
        })
    };
    if email.is_empty() {
        return Err(ValidationError::Required { field: "e-mail" });
    }
    if email.chars().count() > 254 {
        return Err(ValidationError::TooLong {
            field: "e-mail",
            max: 254,
        });
    }
    if email.chars().any(char::is_whitespace) {
        return bad("has a space in it");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return bad("has no @");
    };
    if domain.contains('@') {
        return bad("has more than one @");
    }
    if local.is_empty() {
        return bad("has nothing before the @");
    }
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return bad("needs a domain after the @, like example.com");
    }
    Ok(email.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Currency;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    const LP: StockItem = StockItem::Format(FormatId(1));
    const TAPE: StockItem = StockItem::Format(FormatId(2));
    const HOME: LocationId = LocationId(1);
    const TOUR: LocationId = LocationId(2);

    fn moved(
        item: StockItem,
        location: LocationId,
        quantity: i64,
        reason: MovementReason,
    ) -> Movement {
        Movement {
            item,
            location,
            quantity,
            reason,
            note: String::new(),
        }
    }

    #[test]
    fn stock_is_the_sum_of_movements_including_transfers() {
        let mut movements = vec![
            moved(LP, HOME, 300, MovementReason::Received),
            moved(TAPE, HOME, 100, MovementReason::Received),
        ];
        movements.extend(transfer(LP, HOME, TOUR, 40).unwrap());
        movements.extend(transfer(TAPE, HOME, TOUR, 25).unwrap());
        movements.push(moved(LP, TOUR, -3, MovementReason::Sale));
        movements.push(moved(LP, TOUR, 1, MovementReason::SaleVoid));
        movements.push(moved(LP, HOME, -2, MovementReason::Gift));
        movements.push(moved(LP, HOME, -1, MovementReason::Damaged));
        movements.push(moved(TAPE, TOUR, -1, MovementReason::Count));
        let levels = stock_levels(&movements);
        // LP: home 300 − 40 − 2 − 1 = 257; tour 40 − 3 + 1 = 38.
        assert_eq!(levels[&(LP, HOME)], 257);
        assert_eq!(levels[&(LP, TOUR)], 38);
        // Tape: home 100 − 25 = 75; tour 25 − 1 = 24.
        assert_eq!(levels[&(TAPE, HOME)], 75);
        assert_eq!(levels[&(TAPE, TOUR)], 24);
        let total_lp: i64 = levels
            .iter()
            .filter(|((i, _), _)| *i == LP)
            .map(|(_, q)| q)
            .sum();
        assert_eq!(
            total_lp,
            300 - 3 + 1 - 2 - 1,
            "transfers move stock, they do not make it"
        );
    }

    #[test]
    fn bad_transfers_and_movements_are_refused() {
        assert!(transfer(LP, HOME, HOME, 5).is_err());
        assert!(transfer(LP, HOME, TOUR, 0).is_err());
        assert!(transfer(LP, HOME, TOUR, -4).is_err());
        assert!(
            moved(LP, HOME, 0, MovementReason::Count)
                .validate()
                .is_err()
        );
        assert!(
            moved(LP, HOME, -5, MovementReason::Received)
                .validate()
                .is_err()
        );
        assert!(moved(LP, HOME, 5, MovementReason::Gift).validate().is_err());
        assert!(
            moved(LP, HOME, -5, MovementReason::Count)
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn discounts_fixed_and_percent() {
        assert_eq!(Discount::parse("", eur()).unwrap(), Discount::None);
        assert_eq!(
            Discount::parse("10%", eur()).unwrap(),
            Discount::Percent(BasisPoints(1000))
        );
        assert_eq!(
            Discount::parse("2.50", eur()).unwrap(),
            Discount::Fixed(250)
        );
        let over = Discount::parse("120%", eur()).unwrap_err().to_string();
        assert!(over.contains("100%"), "{over}");
        assert!(
            Discount::parse("-2", eur())
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
        assert!(Discount::parse("cheap", eur()).is_err());
        // 10 % of 2 × 22.50 = 4.50; 15 % of 19.99 = 2.9985 → 3.00.
        assert_eq!(
            Discount::Percent(BasisPoints(1000)).amount(4500).unwrap(),
            450
        );
        assert_eq!(
            Discount::Percent(BasisPoints(1500)).amount(1999).unwrap(),
            300
        );
        assert!(
            Discount::Fixed(5000).amount(4500).is_err(),
            "more than the line"
        );
        assert!(Discount::Percent(BasisPoints(10_001)).amount(100).is_err());
    }

    #[test]
    fn sale_amounts_and_bad_input() {
        let sale = SaleInput {
            item: LP,
            description: "LP".into(),
            artist_id: None,
            quantity: 2,
            unit_price: 2250,
            discount: Discount::Percent(BasisPoints(1000)),
            payment: Payment::Cash,
        };
        assert_eq!(
            sale.amounts().unwrap(),
            SaleAmounts {
                gross: 4500,
                discount: 450,
                total: 4050
            }
        );
        let negative = SaleInput {
            quantity: -1,
            ..sale.clone()
        };
        assert!(
            negative
                .amounts()
                .unwrap_err()
                .to_string()
                .contains("at least 1")
        );
        let free_price = SaleInput {
            unit_price: -100,
            ..sale.clone()
        };
        assert!(
            free_price
                .amounts()
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
        let zero = SaleInput {
            unit_price: 0,
            discount: Discount::None,
            ..sale
        };
        assert_eq!(
            zero.amounts().unwrap().total,
            0,
            "a free copy is a valid sale"
        );
    }

    fn sale(
        id: i64,
        desc: &str,
        artist: &str,
        quantity: i64,
        total: i64,
        payment: Payment,
    ) -> Sale {
        Sale {
            id: SaleId(id),
            show_id: ShowId(1),
            sold_at: NaiveDate::from_ymd_opt(2026, 11, 28)
                .unwrap()
                .and_hms_opt(21, 0, 0)
                .unwrap(),
            item: Some(LP),
            description: desc.into(),
            artist_id: None,
            artist: artist.into(),
            quantity,
            unit_price: total / quantity,
            discount: 0,
            total,
            payment,
            voids: None,
        }
    }

    #[test]
    fn report_leaves_voided_sales_out_and_reconciles_cash() {
        let mut show = Show::new(
            NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            "The Lexington",
            TOUR,
            eur(),
        );
        show.cash_float = 5000;
        show.commission = BasisPoints(1500);
        show.cash_counted = Some(12_000);
        let mut sales = vec![
            sale(
                1,
                "Salt in the Wires — 12\"",
                "The Low Tides",
                2,
                4400,
                Payment::Cash,
            ),
            sale(
                2,
                "Riptide — Cassette",
                "The Low Tides",
                1,
                1000,
                Payment::Card,
            ),
            sale(3, "Tour shirt (M)", "", 1, 2000, Payment::Cash),
            sale(
                4,
                "Salt in the Wires — 12\"",
                "The Low Tides",
                1,
                2200,
                Payment::Card,
            ),
        ];
        // Sale 3 is undone by void record 5.
        let mut void = sale(5, "Tour shirt (M)", "", 1, 2000, Payment::Cash);
        void.voids = Some(SaleId(3));
        sales.push(void);
        let r = ShowReport::compute(&show, &sales);
        assert_eq!((r.sales, r.voided, r.units), (3, 1, 4));
        assert_eq!(r.cash_sales, 4400);
        assert_eq!(r.card_sales, 1000 + 2200);
        assert_eq!(r.takings, 7600);
        // 15 % of 76.00 = 11.40.
        assert_eq!(r.commission, 1140);
        assert_eq!(r.net, 6460);
        // Float 50.00 + cash 44.00 = 94.00 expected; 120.00 counted: 26.00 over.
        assert_eq!(r.cash_expected, 9400);
        assert_eq!(r.cash_difference, Some(2600));
        assert_eq!(
            r.by_item[0],
            ReportRow {
                name: "Salt in the Wires — 12\"".into(),
                units: 3,
                takings: 6600
            }
        );
        assert_eq!(r.by_item.len(), 2, "the voided shirt is not in the report");
        assert_eq!(
            r.by_artist,
            vec![ReportRow {
                name: "The Low Tides".into(),
                units: 4,
                takings: 7600
            }]
        );
    }

    #[test]
    fn allocation_adds_up_exactly() {
        // 11.40 of commission over takings 44.00, 10.00, 22.00: 6.60, 1.50, 3.30.
        assert_eq!(allocate(1140, &[4400, 1000, 2200]), vec![660, 150, 330]);
        // 1.00 three ways: 0.34, 0.33, 0.33 (the cent goes to the first).
        assert_eq!(allocate(100, &[1, 1, 1]), vec![34, 33, 33]);
        // 0.05 over 1, 2: exact 1.67 and 3.33 → 2 and 3 (larger remainder first).
        assert_eq!(allocate(5, &[1, 2]), vec![2, 3]);
        assert_eq!(allocate(7, &[0, 0]), vec![7, 0]);
        assert!(allocate(7, &[]).is_empty());
        for (amount, weights) in [
            (999_i64, vec![3_i64, 7, 11, 13]),
            (1, vec![5, 5]),
            (12_345, vec![1; 7]),
        ] {
            assert_eq!(allocate(amount, &weights).iter().sum::<i64>(), amount);
        }
    }

    #[test]
    fn show_validation() {
        let mut show = Show::new(
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            " ",
            TOUR,
            eur(),
        );
        assert!(show.validate().is_err());
        show.venue = "Café Oto".into();
        assert!(show.validate().is_ok());
        show.cash_float = -1;
        assert!(show.validate().is_err());
        show.cash_float = 0;
        show.commission = BasisPoints(10_001);
        assert!(show.validate().is_err());
        assert_eq!(show.title(), "2026-01-01 · Café Oto");
    }

    #[test]
    fn email_addresses() {
        assert_eq!(
            validate_email("  ana@example.org ").unwrap(),
            "ana@example.org"
        );
        for (bad, says) in [
            ("ana.example.org", "no @"),
            ("@example.org", "nothing before"),
            ("ana@example", "domain"),
            ("ana@@example.org", "more than one"),
            ("ana @example.org", "space"),
        ] {
            let message = validate_email(bad).unwrap_err().to_string();
            assert!(message.contains(says), "{bad}: {message}");
        }
        assert!(validate_email("").is_err());
    }

    #[test]
    fn merch_names_and_prices() {
        let mut shirt = MerchItem::new(MerchKind::Shirt, "Tour shirt", 2000, eur());
        shirt.size = "M".into();
        shirt.colour = "black".into();
        assert_eq!(shirt.display_name(), "Tour shirt (M, black)");
        assert!(shirt.validate().is_ok());
        shirt.price = -1;
        assert!(
            shirt
                .validate()
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
    }
}
