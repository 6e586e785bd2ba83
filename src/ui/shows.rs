//! The Shows panel: shows (date, venue, artists, the stock location the records travel in,
//! cash float, the venue's commission), the full-window **merch mode** that sells at the
//! table, the end-of-show report with cash reconciliation and export, the **stock** overview
//! with movements, transfers and low-stock warnings, and the **mailing list**.
//!
//! Reads go through `crate::db::shows`; every write is a [`Command::Shows`] the app commits in
//! one transaction before the screen shows it as done. Merch mode is driven by the keyboard:
//! F1–F9 sell the first nine items in one keystroke, a number and Enter sells that item, a
//! barcode and Enter (what a USB scanner types) sells the scanned item, Ctrl+Z undoes the
//! last sale (a void record), F11/F12 switch cash/card and Escape leaves.

use std::collections::HashMap;
use std::time::Instant;

use chrono::Utc;
use egui::{Color32, Key, Modifiers, RichText, TextureHandle, Ui};
use egui_extras::{Column, TableBuilder};

use super::widgets::{self, Answer};
use super::{PanelCtx, theme};
use crate::command::Command;
use crate::db::shows::{self as db_shows, HistoryRow, Op, SellItem, ShowSummary, StockRow};
use crate::model::shows::{
    Discount, Location, LocationId, LocationKind, MerchItem, MerchKind, Movement, MovementReason,
    Payment, Sale, SaleInput, Show, ShowId, ShowReport, Signup, StockItem,
};
use crate::model::{ArtistId, Barcode, BasisPoints, Currency, Money, ReleaseId, parse_date};

/// The panel's tabs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum ShowsTab {
    #[default]
    Shows,
    Stock,
    MailingList,
}

/// What the panel remembers between runs.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ShowsState {
    pub tab: ShowsTab,
    pub selected: Option<i64>,
}

/// The show form, as typed.
#[derive(Debug, Clone, PartialEq)]
struct ShowForm {
    id: ShowId,
    date: String,
    venue: String,
    city: String,
    location: Option<LocationId>,
    currency: String,
    float: String,
    commission: String,
    notes: String,
    artists: Vec<(ArtistId, String)>,
    find_artist: String,
    error: Option<String>,
}

impl ShowForm {
    fn from_show(show: &Show, names: &[(ArtistId, String)]) -> Self {
        let money = |m: i64| Money::new(m, show.currency).format_amount();
        Self {
            id: show.id,
            date: show.date.to_string(),
            venue: show.venue.clone(),
            city: show.city.clone(),
            location: Some(show.location_id),
            currency: show.currency.to_string(),
            float: money(show.cash_float),
            commission: show.commission.to_string(),
            notes: show.notes.clone(),
            artists: show
                .artists
                .iter()
                .map(|a| {
                    let name = names
                        .iter()
                        .find(|(id, _)| id == a)
                        .map_or_else(|| format!("artist {a}"), |(_, n)| n.clone());
                    (*a, name)
                })
                .collect(),
            find_artist: String::new(),
            error: None,
        }
    }

    /// The show the form describes, or what is wrong with it.
    fn to_show(
        &self,
        closed: Option<chrono::NaiveDateTime>,
        counted: Option<i64>,
    ) -> Result<Show, String> {
        let date = parse_date(&self.date).map_err(|e| format!("Date: {e}"))?;
        let currency = Currency::parse(&self.currency).map_err(|e| format!("Currency: {e}"))?;
        let location = self.location.ok_or("Choose where the stock travels")?;
        let float = if self.float.trim().is_empty() {
            0
        } else {
            Money::parse(&self.float, currency)
                .map_err(|e| format!("Cash float: {e}"))?
                .minor
        };
        let commission = if self.commission.trim().is_empty() {
            BasisPoints::ZERO
        } else {
            BasisPoints::parse(&self.commission).map_err(|e| format!("Commission: {e}"))?
        };
        let mut show = Show::new(date, self.venue.trim(), location, currency);
        show.id = self.id;
        show.city = self.city.trim().to_owned();
        show.cash_float = float;
        show.commission = commission;
        show.cash_counted = counted;
        show.notes = self.notes.clone();
        show.artists = self.artists.iter().map(|(id, _)| *id).collect();
        show.closed_at = closed;
        show.validate().map_err(|e| e.to_string())?;
        Ok(show)
    }
}

/// The selling screen of one show.
struct MerchMode {
    show: Show,
    items: Vec<SellItem>,
    sales: Vec<Sale>,
    revision: u64,
    thumbs: HashMap<ReleaseId, Option<TextureHandle>>,
    scan: String,
    quantity: String,
    discount: String,
    payment: Payment,
    /// A sale waiting for "sell anyway" because stock would go below zero.
    confirm: Option<(usize, i64)>,
    /// The last thing the screen said (error = red).
    message: Option<(String, bool)>,
    signup_name: String,
    signup_email: String,
    signup_consent: bool,
}

/// Loaded data of the Shows tab.
struct ShowsCache {
    revision: u64,
    shows: Vec<ShowSummary>,
    locations: Vec<Location>,
    artists: Vec<(ArtistId, String)>,
}

/// The selected show's details and report.
struct Selected {
    revision: u64,
    show: Show,
    artists: String,
    sales: Vec<Sale>,
    report: ShowReport,
    /// (item, stock left at the show's location).
    stock_left: Vec<(String, i64)>,
}

/// The stock tab's data and forms.
#[derive(Default)]
struct StockTab {
    revision: Option<u64>,
    rows: Vec<StockRow>,
    selected: Option<StockItem>,
    history: Vec<HistoryRow>,
    quantity: String,
    reason: Option<MovementReason>,
    location: Option<LocationId>,
    to: Option<LocationId>,
    note: String,
    low: String,
    find: String,
    new_location: String,
    merch: MerchForm,
    error: Option<String>,
}

#[derive(Default)]
struct MerchForm {
    /// Unsaved for a new item; the item being edited otherwise.
    id: crate::model::shows::MerchId,
    kind: Option<MerchKind>,
    name: String,
    size: String,
    colour: String,
    price: String,
    barcode: String,
    artist: String,
}

pub struct ShowsPanel {
    tab: ShowsTab,
    selected: Option<ShowId>,
    cache: Option<ShowsCache>,
    details: Option<Selected>,
    form: Option<ShowForm>,
    merch: Option<MerchMode>,
    stock: StockTab,
    signups: Option<(u64, Vec<Signup>)>,
    cash_counted: String,
    confirm_close: bool,
    confirm_delete: Option<ShowId>,
    export: Option<widgets::SaveJob>,
    /// When the frame began (the app sets it), to time a sale from keypress to commit.
    pub frame_started: Option<Instant>,
}

impl ShowsPanel {
    #[must_use]
    pub fn restore(state: ShowsState) -> Self {
        Self {
            tab: state.tab,
            selected: state.selected.map(ShowId),
            cache: None,
            details: None,
            form: None,
            merch: None,
            stock: StockTab::default(),
            signups: None,
            cash_counted: String::new(),
            confirm_close: false,
            confirm_delete: None,
            export: None,
            frame_started: None,
        }
    }

    #[must_use]
    pub fn state(&self) -> ShowsState {
        ShowsState {
            tab: self.tab,
            selected: self.selected.map(|s| s.0),
        }
    }

    /// Merch mode fills the window: the app hides navigation and routes Ctrl+Z here.
    #[must_use]
    pub fn in_merch_mode(&self) -> bool {
        self.merch.is_some()
    }

    /// Ctrl+N: a new show.
    pub fn new_item(&mut self, ctx: &mut PanelCtx<'_>) {
        if self.merch.is_some() {
            return;
        }
        self.tab = ShowsTab::Shows;
        self.refresh(ctx);
        let location = self.cache.as_ref().and_then(|c| {
            c.locations
                .iter()
                .find(|l| l.kind == LocationKind::Tour)
                .or_else(|| c.locations.first())
                .map(|l| l.id)
        });
        let currency = ctx
            .report(crate::db::labels::home_currency(ctx.catalog.conn()))
            .unwrap_or_default();
        self.selected = None;
        self.form = Some(ShowForm {
            id: ShowId::UNSAVED,
            date: chrono::Local::now().date_naive().to_string(),
            venue: String::new(),
            city: String::new(),
            location,
            currency: currency.to_string(),
            float: String::new(),
            commission: String::new(),
            notes: String::new(),
            artists: Vec::new(),
            find_artist: String::new(),
            error: None,
        });
    }

    /// Delete: asks to delete the selected show (only one without sales can go).
    pub fn request_delete(&mut self) {
        if self.merch.is_none() && self.form.is_none() && self.tab == ShowsTab::Shows {
            self.confirm_delete = self.selected;
        }
    }

    /// Escape: leave merch mode, else close the form.
    pub fn close(&mut self) -> bool {
        if self.merch.take().is_some() {
            return true;
        }
        self.form.take().is_some()
    }

    /// A write the panel asked for was committed.
    pub fn applied(&mut self, outcome: &db_shows::Outcome, took: Option<std::time::Duration>) {
        if let Some(show) = outcome.show {
            if self.form.as_ref().is_some_and(|f| f.id.is_unsaved()) {
                self.form = None;
            }
            if self.merch.is_none() {
                self.selected = Some(show);
            }
        }
        if let Some(merch) = &mut self.merch {
            let timing = took.map_or_else(String::new, |t| {
                format!(" · committed in {:.1} ms", t.as_secs_f64() * 1000.0)
            });
            merch.message = Some((format!("{}{timing}", outcome.message), false));
        }
        self.stock.error = None;
    }

    /// A write the panel asked for was refused.
    pub fn failed(&mut self, message: &str) {
        if let Some(merch) = &mut self.merch {
            merch.message = Some((message.to_owned(), true));
        } else if let Some(form) = &mut self.form {
            form.error = Some(message.to_owned());
        } else {
            self.stock.error = Some(message.to_owned());
        }
    }

    fn refresh(&mut self, ctx: &mut PanelCtx<'_>) {
        if self
            .cache
            .as_ref()
            .is_some_and(|c| c.revision == ctx.revision)
        {
            return;
        }
        let conn = ctx.catalog.conn();
        let shows = ctx.report(db_shows::list_shows(conn)).unwrap_or_default();
        let locations = ctx.report(db_shows::locations(conn)).unwrap_or_default();
        let artists = ctx
            .report(crate::db::artists::names(conn))
            .unwrap_or_default();
        self.cache = Some(ShowsCache {
            revision: ctx.revision,
            shows,
            locations,
            artists,
        });
    }

    fn refresh_details(&mut self, ctx: &mut PanelCtx<'_>) {
        let Some(id) = self.selected else {
            self.details = None;
            return;
        };
        if self
            .details
            .as_ref()
            .is_some_and(|d| d.revision == ctx.revision && d.show.id == id)
        {
            return;
        }
        let conn = ctx.catalog.conn();
        let Some(show) = ctx.report(db_shows::get_show(conn, id)) else {
            self.selected = None;
            self.details = None;
            return;
        };
        let sales = ctx.report(db_shows::sales(conn, id)).unwrap_or_default();
        let report = ShowReport::compute(&show, &sales);
        let stock_left = ctx
            .report(db_shows::sell_items(conn, &show))
            .unwrap_or_default()
            .into_iter()
            .filter(|i| i.stock != 0 || report.by_item.iter().any(|r| r.name == i.name))
            .map(|i| (i.name, i.stock))
            .collect();
        let artists = self.cache.as_ref().map_or_else(String::new, |c| {
            show.artists
                .iter()
                .filter_map(|a| {
                    c.artists
                        .iter()
                        .find(|(id, _)| id == a)
                        .map(|(_, n)| n.clone())
                })
                .collect::<Vec<_>>()
                .join(", ")
        });
        if self.details.as_ref().is_none_or(|d| d.show.id != id) {
            self.cash_counted = show
                .cash_counted
                .map(|c| Money::new(c, show.currency).format_amount())
                .unwrap_or_default();
        }
        self.details = Some(Selected {
            revision: ctx.revision,
            show,
            artists,
            sales,
            report,
            stock_left,
        });
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        self.poll_export(ctx);
        self.refresh(ctx);
        if self.merch.is_some() {
            self.merch_ui(ui, ctx);
            return;
        }
        egui::Frame::NONE
            .inner_margin(egui::Margin::symmetric(12, 8))
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.heading("Shows");
                    ui.add_space(16.0);
                    for (tab, text) in [
                        (ShowsTab::Shows, "Shows & merch"),
                        (ShowsTab::Stock, "Stock"),
                        (ShowsTab::MailingList, "Mailing list"),
                    ] {
                        if ui.selectable_label(self.tab == tab, text).clicked() {
                            self.tab = tab;
                        }
                    }
                });
                ui.separator();
                match self.tab {
                    ShowsTab::Shows => self.shows_tab_ui(ui, ctx),
                    ShowsTab::Stock => self.stock_ui(ui, ctx),
                    ShowsTab::MailingList => self.mailing_list_ui(ui, ctx),
                }
            });
    }

    // ---- shows tab ----

    fn shows_tab_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        self.refresh_details(ctx);
        egui::Panel::left("shows_list")
            .resizable(true)
            .default_size(330.0)
            .show(ui, |ui| self.show_list_ui(ui, ctx));
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("show_detail")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    if self.form.is_some() {
                        self.form_ui(ui, ctx);
                    } else if self.details.is_some() {
                        self.detail_ui(ui, ctx);
                    } else {
                        widgets::hint_ui(
                            ui,
                            "Pick a show, or make a new one (Ctrl+N): where, when, who plays, and \
                             which stock box travels with you. Merch mode then sells at the table.",
                        );
                    }
                });
        });
    }

    fn show_list_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        if ui.button("New show").clicked() {
            self.new_item(ctx);
        }
        ui.add_space(4.0);
        let Some(cache) = &self.cache else { return };
        if cache.shows.is_empty() {
            widgets::hint_ui(ui, "No shows yet.");
        }
        let mut pick = None;
        egui::ScrollArea::vertical()
            .id_salt("shows_scroll")
            .show(ui, |ui| {
                for s in &cache.shows {
                    let money = Money::new(s.takings, s.show.currency);
                    let selected = self.selected == Some(s.show.id);
                    let closed = if s.show.closed_at.is_some() {
                        " · closed"
                    } else {
                        ""
                    };
                    let text = format!(
                        "{}
{}
{} sale(s) · {money}{closed}",
                        s.show.title(),
                        s.artists,
                        s.sales
                    );
                    if ui
                        .add(
                            egui::Button::selectable(selected, text)
                                .min_size(egui::vec2(ui.available_width(), 0.0)),
                        )
                        .clicked()
                    {
                        pick = Some(s.show.id);
                    }
                }
            });
        if let Some(id) = pick {
            self.selected = Some(id);
            self.form = None;
        }
    }

    fn form_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let Some(cache) = &self.cache else { return };
        let Some(form) = &mut self.form else { return };
        ui.heading(if form.id.is_unsaved() {
            "New show"
        } else {
            "Edit show"
        });
        let mut save = false;
        egui::Grid::new("show_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                widgets::field_ui(ui, "Date", &mut form.date, None);
                widgets::field_ui(ui, "Venue", &mut form.venue, None);
                widgets::field_ui(ui, "City", &mut form.city, None);
                ui.label("Stock travels in");
                let ids: Vec<Option<LocationId>> =
                    cache.locations.iter().map(|l| Some(l.id)).collect();
                let name = |id: Option<LocationId>| {
                    id.and_then(|id| cache.locations.iter().find(|l| l.id == id))
                        .map_or_else(|| "Choose…".to_owned(), |l| l.name.clone())
                };
                widgets::choice_ui(
                    ui,
                    "Stock travels in",
                    "show_location",
                    &mut form.location,
                    &ids,
                    name,
                );
                ui.end_row();
                widgets::field_ui(ui, "Currency", &mut form.currency, None);
                widgets::field_ui(ui, "Cash float", &mut form.float, None);
                widgets::field_ui(ui, "Venue commission %", &mut form.commission, None);
                ui.label("Artists playing");
                ui.vertical(|ui| {
                    let mut remove = None;
                    for (i, (_, name)) in form.artists.iter().enumerate() {
                        ui.horizontal(|ui| {
                            ui.label(name);
                            if ui.small_button(format!("Remove {name}")).clicked() {
                                remove = Some(i);
                            }
                        });
                    }
                    if let Some(i) = remove {
                        form.artists.remove(i);
                    }
                    let label = ui.label("Add an artist");
                    ui.add(
                        egui::TextEdit::singleline(&mut form.find_artist)
                            .hint_text("type a name")
                            .desired_width(220.0),
                    )
                    .labelled_by(label.id);
                    let needle = form.find_artist.trim().to_lowercase();
                    if !needle.is_empty() {
                        let mut add = None;
                        for (id, name) in cache
                            .artists
                            .iter()
                            .filter(|(id, n)| {
                                n.to_lowercase().contains(&needle)
                                    && !form.artists.iter().any(|(a, _)| a == id)
                            })
                            .take(8)
                        {
                            if ui.button(format!("+ {name}")).clicked() {
                                add = Some((*id, name.clone()));
                            }
                        }
                        if let Some(artist) = add {
                            form.artists.push(artist);
                            form.find_artist.clear();
                        }
                    }
                });
                ui.end_row();
                widgets::multiline_field_ui(ui, "Notes", &mut form.notes, 3);
            });
        if let Some(error) = &form.error {
            ui.label(RichText::new(error).color(theme::error_color(ui)));
        }
        ui.horizontal(|ui| {
            if ui.button(RichText::new("Save show").strong()).clicked() {
                save = true;
            }
            if ui.button("Cancel").clicked() {
                self.form = None;
            }
        });
        if save && let Some(form) = &mut self.form {
            let (closed, counted) = self
                .details
                .as_ref()
                .filter(|d| d.show.id == form.id)
                .map_or((None, None), |d| (d.show.closed_at, d.show.cash_counted));
            match form.to_show(closed, counted) {
                Ok(show) => {
                    form.error = None;
                    ctx.send(Command::Shows(Box::new(Op::SaveShow(show)), None));
                }
                Err(e) => form.error = Some(e),
            }
        }
    }

    fn detail_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let Some(d) = &self.details else { return };
        let show = &d.show.clone();
        let artists = d.artists.clone();
        let no_sales = d.sales.is_empty();
        let money = |m: i64| Money::new(m, show.currency).to_string();
        ui.horizontal(|ui| {
            ui.heading(show.title());
            if show.closed_at.is_some() {
                widgets::badge_ui(ui, "Closed", theme::weak_color(ui));
            }
        });
        let location = self
            .cache
            .as_ref()
            .and_then(|c| c.locations.iter().find(|l| l.id == show.location_id))
            .map_or_else(|| "?".to_owned(), |l| l.name.clone());
        widgets::hint_ui(
            ui,
            &format!(
                "{} · stock from {location} · float {} · venue commission {}",
                if artists.is_empty() {
                    "no artists yet"
                } else {
                    &artists
                },
                money(show.cash_float),
                show.commission
            ),
        );
        let mut open_merch = false;
        let mut edit = false;
        ui.horizontal(|ui| {
            if show.closed_at.is_none() {
                if ui
                    .add(
                        egui::Button::new(RichText::new("Open merch mode").strong().size(16.0))
                            .min_size(egui::vec2(180.0, 34.0)),
                    )
                    .clicked()
                {
                    open_merch = true;
                }
                if ui.button("Edit show").clicked() {
                    edit = true;
                }
            }
            if no_sales && ui.button("Delete show…").clicked() {
                self.confirm_delete = Some(show.id);
            }
            if ui.button("Save report as PDF…").clicked() {
                self.start_export(ctx, true);
            }
            if ui.button("Save report as CSV…").clicked() {
                self.start_export(ctx, false);
            }
        });
        ui.add_space(8.0);
        let Some(d) = &self.details else { return };
        report_ui(ui, &d.show, &d.report);
        if !d.stock_left.is_empty() {
            ui.add_space(6.0);
            ui.strong(format!("Stock left in {location}"));
            egui::Grid::new("stock_left")
                .num_columns(4)
                .spacing([12.0, 2.0])
                .striped(true)
                .show(ui, |ui| {
                    for (i, (name, quantity)) in d.stock_left.iter().enumerate() {
                        ui.label(name);
                        number_ui(ui, quantity.to_string());
                        if i % 2 == 1 {
                            ui.end_row();
                        }
                    }
                });
        }
        ui.add_space(8.0);
        let show = d.show.clone();
        if show.closed_at.is_none() {
            ui.horizontal(|ui| {
                let label = ui.label("Cash counted");
                ui.add(egui::TextEdit::singleline(&mut self.cash_counted).desired_width(100.0))
                    .labelled_by(label.id);
                if ui.button("Close show…").clicked() {
                    self.confirm_close = true;
                }
            });
            widgets::hint_ui(
                ui,
                "Closing sends the record sales to the sales ledger (for royalty statements) and \
                 ends selling at this show.",
            );
        }
        if self.confirm_close {
            let counted = if self.cash_counted.trim().is_empty() {
                Ok(None)
            } else {
                Money::parse(&self.cash_counted, show.currency).map(|m| Some(m.minor))
            };
            match counted {
                Err(e) => {
                    self.confirm_close = false;
                    ctx.send(Command::Error(format!("Cash counted: {e}")));
                }
                Ok(counted) => {
                    let body = format!(
                        "{} record sale(s) go to the sales ledger; no more sales can be added. Cash counted: {}.",
                        d.report.sales,
                        counted.map_or_else(
                            || "not counted".to_owned(),
                            |c| Money::new(c, show.currency).to_string()
                        )
                    );
                    match widgets::confirm_ui(
                        ui.ctx(),
                        "close_show",
                        "Close this show?",
                        &body,
                        "Close show",
                    ) {
                        Answer::Confirm => {
                            self.confirm_close = false;
                            ctx.send(Command::Shows(
                                Box::new(Op::Close {
                                    show: show.id,
                                    cash_counted: counted,
                                }),
                                None,
                            ));
                        }
                        Answer::Cancel => self.confirm_close = false,
                        Answer::Pending => {}
                    }
                }
            }
        }
        if let Some(id) = self.confirm_delete {
            let body = format!("Delete the show “{}”? It has no sales.", show.title());
            match widgets::confirm_ui(ui.ctx(), "delete_show", "Delete show?", &body, "Delete") {
                Answer::Confirm => {
                    self.confirm_delete = None;
                    self.selected = None;
                    ctx.send(Command::Shows(Box::new(Op::DeleteShow(id)), None));
                }
                Answer::Cancel => self.confirm_delete = None,
                Answer::Pending => {}
            }
        }
        if edit && let Some(cache) = &self.cache {
            self.form = Some(ShowForm::from_show(&show, &cache.artists));
        }
        if open_merch {
            self.open_merch(show);
        }
    }

    fn open_merch(&mut self, show: Show) {
        self.merch = Some(MerchMode {
            show,
            items: Vec::new(),
            sales: Vec::new(),
            revision: u64::MAX,
            thumbs: HashMap::new(),
            scan: String::new(),
            quantity: "1".to_owned(),
            discount: String::new(),
            payment: Payment::Cash,
            confirm: None,
            message: None,
            signup_name: String::new(),
            signup_email: String::new(),
            signup_consent: false,
        });
    }

    fn start_export(&mut self, ctx: &mut PanelCtx<'_>, pdf: bool) {
        let Some(d) = &self.details else { return };
        let label = ctx
            .report(crate::db::labels::own(ctx.catalog.conn()))
            .flatten()
            .map_or_else(String::new, |l| l.name);
        let location = self
            .cache
            .as_ref()
            .and_then(|c| c.locations.iter().find(|l| l.id == d.show.location_id))
            .map_or_else(String::new, |l| l.name.clone());
        let doc = crate::io::show_report::printable(
            &crate::io::show_report::ReportParts {
                label: &label,
                show: &d.show,
                artists: &d.artists,
                location: &location,
                report: &d.report,
                sales: &d.sales,
                stock_left: &d.stock_left,
            },
            chrono::Local::now().date_naive(),
        );
        let name = format!(
            "merch-{}-{}.{}",
            d.show.date,
            d.show.venue.trim().replace(['/', '\\', ' '], "-"),
            if pdf { "pdf" } else { "csv" }
        );
        let job =
            widgets::SaveJob::start("show-report-export", name, "the show report", move || {
                if pdf {
                    crate::io::printable::to_pdf(&doc).map_err(|e| e.to_string())
                } else {
                    Ok(crate::io::printable::to_csv(&doc).into_bytes())
                }
            });
        match job {
            Ok(job) => self.export = Some(job),
            Err(e) => ctx.send(Command::Error(format!("Could not start the export: {e}"))),
        }
    }

    fn poll_export(&mut self, ctx: &mut PanelCtx<'_>) {
        widgets::SaveJob::poll_into(&mut self.export, ctx);
    }

    // ---- merch mode ----

    fn merch_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let Some(m) = &mut self.merch else { return };
        if m.revision != ctx.revision {
            let conn = ctx.catalog.conn();
            if let Some(show) = ctx.report(db_shows::get_show(conn, m.show.id)) {
                m.show = show;
            }
            m.items = ctx
                .report(db_shows::sell_items(conn, &m.show))
                .unwrap_or_default();
            m.sales = ctx
                .report(db_shows::sales(conn, m.show.id))
                .unwrap_or_default();
            m.revision = ctx.revision;
        }
        let started = self.frame_started.unwrap_or_else(Instant::now);
        // Escape leaves merch mode (unless the "not enough stock" question is open: it cancels).
        let escape = m.confirm.is_none() && ui.input(|i| i.key_pressed(Key::Escape));
        // Keys first, so they act before any field takes them.
        let (undo, fkey, cash, card) = ui.ctx().input_mut(|i| {
            let undo = i.consume_key(Modifiers::COMMAND, Key::Z);
            let fkeys = [
                Key::F1,
                Key::F2,
                Key::F3,
                Key::F4,
                Key::F5,
                Key::F6,
                Key::F7,
                Key::F8,
                Key::F9,
            ];
            let fkey = fkeys
                .iter()
                .position(|k| i.consume_key(Modifiers::NONE, *k));
            let cash = i.consume_key(Modifiers::NONE, Key::F11);
            let card = i.consume_key(Modifiers::NONE, Key::F12);
            (undo, fkey, cash, card)
        });
        if cash {
            m.payment = Payment::Cash;
        }
        if card {
            m.payment = Payment::Card;
        }
        if undo && m.confirm.is_none() {
            ctx.send(Command::Shows(
                Box::new(Op::VoidLast {
                    show: m.show.id,
                    at: Utc::now().naive_utc(),
                }),
                Some(started),
            ));
        }
        let mut to_sell: Option<usize> = fkey.filter(|&i| i < m.items.len());
        let currency = m.show.currency;
        let money = |minor: i64| Money::new(minor, currency).to_string();
        let report = ShowReport::compute(&m.show, &m.sales);
        let mut leave = escape;

        egui::Frame::NONE.inner_margin(egui::Margin::symmetric(14, 10)).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading(RichText::new(format!("Merch · {}", m.show.title())).strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("Leave merch mode (Esc)").clicked() {
                        leave = true;
                    }
                });
            });
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(format!("Takings {}", money(report.takings)))
                        .size(22.0)
                        .strong(),
                );
                ui.add_space(12.0);
                ui.label(format!(
                    "cash {} · card {} · {} sale(s) · {} unit(s)",
                    money(report.cash_sales),
                    money(report.card_sales),
                    report.sales,
                    report.units
                ));
            });
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let label = ui.label("Scan or type a barcode");
                let scan = ui.add(
                    egui::TextEdit::singleline(&mut m.scan)
                        .id(egui::Id::unique("merch_scan"))
                        .desired_width(220.0)
                        .hint_text("barcode, or item number")
                        .font(egui::TextStyle::Heading),
                );
                let scan = scan.labelled_by(label.id);
                if scan.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                    let text = m.scan.trim().to_owned();
                    m.scan.clear();
                    if !text.is_empty() {
                        match pick_item(&m.items, &text) {
                            Ok(i) => to_sell = Some(i),
                            Err(e) => m.message = Some((e, true)),
                        }
                    }
                    scan.request_focus();
                }
                // The scan field keeps the keyboard unless another field has it.
                if ui.ctx().memory(|mem| mem.focused().is_none()) && m.confirm.is_none() {
                    scan.request_focus();
                }
                ui.add_space(12.0);
                let label = ui.label("Quantity");
                ui.add(egui::TextEdit::singleline(&mut m.quantity).desired_width(40.0))
                    .labelled_by(label.id);
                let label = ui.label("Discount");
                ui.add(
                    egui::TextEdit::singleline(&mut m.discount)
                        .desired_width(70.0)
                        .hint_text("2.00 or 10%"),
                )
                .labelled_by(label.id);
                ui.add_space(12.0);
                for (payment, key) in [(Payment::Cash, "F11"), (Payment::Card, "F12")] {
                    if ui
                        .add(egui::Button::selectable(
                            m.payment == payment,
                            RichText::new(format!("{} ({key})", payment.label())).size(16.0),
                        ))
                        .clicked()
                    {
                        m.payment = payment;
                    }
                }
                ui.add_space(12.0);
                if ui.button("Undo last sale (Ctrl+Z)").clicked() {
                    ctx.send(Command::Shows(
                        Box::new(Op::VoidLast {
                            show: m.show.id,
                            at: Utc::now().naive_utc(),
                        }),
                        Some(started),
                    ));
                }
            });
            if let Some((text, error)) = &m.message {
                let color = if *error { theme::error_color(ui) } else { theme::ok_color(ui) };
                ui.label(RichText::new(text).color(color).size(16.0));
            } else {
                widgets::hint_ui(
                    ui,
                    "F1–F9 sell an item in one keystroke · a number + Enter sells that item · scan a barcode · \
                     F11 cash, F12 card · Ctrl+Z undoes the last sale",
                );
            }
            ui.add_space(6.0);
            if m.items.is_empty() {
                widgets::hint_ui(
                    ui,
                    "Nothing to sell: add the playing artists to the show (their releases' physical formats \
                     appear here) or add merch in the Stock tab.",
                );
            }
            egui::Panel::right("merch_side")
                .resizable(false)
                .exact_size(300.0)
                .show(ui, |ui| merch_side_ui(ui, m, ctx, &money));
            egui::CentralPanel::default().show(ui, |ui| {
                egui::ScrollArea::vertical().id_salt("merch_items").show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.spacing_mut().item_spacing = egui::vec2(10.0, 10.0);
                        for (i, item) in m.items.iter().enumerate() {
                            let thumb = item
                                .release_id
                                .and_then(|r| super::catalog::thumbnail(&mut m.thumbs, ctx, ui.ctx(), r));
                            if item_button_ui(ui, i, item, thumb.as_ref(), &money).clicked() {
                                to_sell = Some(i);
                            }
                        }
                    });
                });
            });
        });

        // A sale asked for: check the input, ask before selling below zero.
        if let Some(i) = to_sell {
            match sale_input(m, i) {
                Ok(input) => {
                    let left = m.items[i].stock - input.quantity;
                    if left < 0 {
                        m.confirm = Some((i, input.quantity));
                    } else {
                        send_sale(ctx, m, input, started);
                    }
                }
                Err(e) => m.message = Some((e, true)),
            }
        }
        if let Some((i, quantity)) = m.confirm {
            let item = &m.items[i];
            let body = format!(
                "Only {} left of “{}” in this show's stock. Sell {quantity} anyway? (Enter sells, Escape cancels)",
                item.stock.max(0),
                item.name
            );
            match widgets::confirm_ui(
                ui.ctx(),
                "merch_below_zero",
                "Not enough stock",
                &body,
                "Sell anyway",
            ) {
                Answer::Confirm => {
                    m.confirm = None;
                    if let Ok(input) = sale_input(m, i) {
                        send_sale(ctx, m, input, Instant::now());
                    }
                }
                Answer::Cancel => m.confirm = None,
                Answer::Pending => {}
            }
        }
        if leave {
            self.merch = None;
        }
    }

    // ---- stock tab ----

    fn stock_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        let Some(cache) = &self.cache else { return };
        let locations = cache.locations.clone();
        let artists = cache.artists.clone();
        let s = &mut self.stock;
        if s.revision != Some(ctx.revision) {
            let conn = ctx.catalog.conn();
            s.rows = ctx
                .report(db_shows::overview(conn, &locations))
                .unwrap_or_default();
            s.history = s
                .selected
                .and_then(|item| ctx.report(db_shows::history(conn, item)))
                .unwrap_or_default();
            s.revision = Some(ctx.revision);
        }
        let low: Vec<&StockRow> = s.rows.iter().filter(|r| r.is_low()).collect();
        if !low.is_empty() {
            let names: Vec<String> = low
                .iter()
                .map(|r| format!("{} ({} left)", r.name, r.total))
                .collect();
            ui.label(
                RichText::new(format!("Low stock: {}", names.join(", ")))
                    .color(theme::warn_color(ui)),
            );
        }
        let mut clicked = None;
        let row_height = 22.0;
        // Rows are clicked to pick an item: their text must not take the click.
        ui.style_mut().interaction.selectable_labels = false;
        let mut table = TableBuilder::new(ui)
            .id_salt("stock_table")
            .striped(true)
            .sense(egui::Sense::click())
            .max_scroll_height(300.0)
            .column(Column::remainder().at_least(220.0).clip(true))
            .column(Column::initial(150.0).clip(true));
        for _ in &locations {
            table = table.column(Column::initial(90.0));
        }
        table
            .column(Column::initial(70.0))
            .column(Column::initial(80.0))
            .header(22.0, |mut header| {
                header.col(|ui| {
                    ui.strong("Item");
                });
                header.col(|ui| {
                    ui.strong("Artist");
                });
                for l in &locations {
                    header.col(|ui| {
                        ui.strong(&l.name);
                    });
                }
                header.col(|ui| {
                    ui.strong("Total");
                });
                header.col(|ui| {
                    ui.strong("Warn below");
                });
            })
            .body(|body| {
                body.rows(row_height, s.rows.len(), |mut row| {
                    let r = &s.rows[row.index()];
                    row.set_selected(s.selected == Some(r.item));
                    row.col(|ui| {
                        ui.label(&r.name);
                    });
                    row.col(|ui| {
                        ui.label(&r.artist);
                    });
                    for q in &r.by_location {
                        row.col(|ui| {
                            ui.label(q.to_string());
                        });
                    }
                    row.col(|ui| {
                        let text = RichText::new(r.total.to_string()).strong();
                        ui.label(if r.is_low() {
                            text.color(theme::warn_color(ui))
                        } else {
                            text
                        });
                    });
                    row.col(|ui| {
                        ui.label(if r.low_stock > 0 {
                            r.low_stock.to_string()
                        } else {
                            "—".to_owned()
                        });
                    });
                    if row.response().clicked() {
                        clicked = Some(r.item);
                    }
                });
            });
        if let Some(item) = clicked {
            s.selected = Some(item);
            s.revision = None;
            // A merch row opens the item in the form for editing (price, size, barcode…).
            if let StockItem::Merch(id) = item
                && let Some(m) = ctx
                    .report(db_shows::merch_items(ctx.catalog.conn()))
                    .and_then(|all| all.into_iter().find(|m| m.id == id))
            {
                s.merch = MerchForm {
                    id: m.id,
                    kind: Some(m.kind),
                    name: m.name.clone(),
                    size: m.size.clone(),
                    colour: m.colour.clone(),
                    price: Money::new(m.price, m.currency).format_amount(),
                    barcode: m.barcode.map(|b| b.as_str().to_owned()).unwrap_or_default(),
                    artist: m
                        .artist_id
                        .and_then(|a| artists.iter().find(|(id, _)| *id == a))
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default(),
                };
            }
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let label = ui.label("Find a format by barcode");
            ui.add(egui::TextEdit::singleline(&mut s.find).desired_width(160.0))
                .labelled_by(label.id);
            if ui.button("Find").clicked() {
                match ctx.report(find_format(ctx.catalog.conn(), &s.find)) {
                    Some(Some(format)) => {
                        s.selected = Some(StockItem::Format(format));
                        s.revision = None;
                        s.error = None;
                    }
                    Some(None) => {
                        s.error = Some(format!("No format has the barcode “{}”", s.find.trim()));
                    }
                    None => {}
                }
            }
        });
        if let Some(error) = &s.error {
            ui.label(RichText::new(error).color(theme::error_color(ui)));
        }
        ui.separator();
        ui.columns(2, |cols| {
            stock_forms_ui(&mut cols[0], s, &locations, ctx);
            new_merch_ui(&mut cols[1], s, &artists, &locations, ctx);
        });
    }

    // ---- mailing list ----

    fn mailing_list_ui(&mut self, ui: &mut Ui, ctx: &mut PanelCtx<'_>) {
        if self
            .signups
            .as_ref()
            .is_none_or(|(rev, _)| *rev != ctx.revision)
        {
            let list = ctx
                .report(db_shows::signups(ctx.catalog.conn()))
                .unwrap_or_default();
            self.signups = Some((ctx.revision, list));
        }
        let Some((_, list)) = &self.signups else {
            return;
        };
        let titles: HashMap<ShowId, String> = self
            .cache
            .as_ref()
            .map(|c| {
                c.shows
                    .iter()
                    .map(|s| (s.show.id, s.show.title()))
                    .collect()
            })
            .unwrap_or_default();
        ui.horizontal(|ui| {
            ui.label(format!(
                "{} sign-up(s), each with the time consent was given.",
                list.len()
            ));
            if ui.button("Export as CSV…").clicked() {
                let csv = crate::io::show_report::signups_csv(list, &|id| {
                    id.and_then(|id| titles.get(&id).cloned())
                        .unwrap_or_default()
                });
                let job = widgets::SaveJob::start(
                    "mailing-list-export",
                    "mailing-list.csv".to_owned(),
                    "the mailing list",
                    move || Ok(csv.into_bytes()),
                );
                match job {
                    Ok(job) => self.export = Some(job),
                    Err(e) => ctx.send(Command::Error(format!("Could not start the export: {e}"))),
                }
            }
        });
        TableBuilder::new(ui)
            .id_salt("signups_table")
            .striped(true)
            .column(Column::initial(200.0))
            .column(Column::initial(240.0))
            .column(Column::initial(160.0))
            .column(Column::remainder())
            .header(22.0, |mut h| {
                for t in ["Name", "E-mail", "Consent (UTC)", "Show"] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, list.len(), |mut row| {
                    let s = &list[row.index()];
                    row.col(|ui| {
                        ui.label(&s.name);
                    });
                    row.col(|ui| {
                        ui.label(&s.email);
                    });
                    row.col(|ui| {
                        ui.label(s.consented_at.format("%Y-%m-%d %H:%M").to_string());
                    });
                    row.col(|ui| {
                        ui.label(
                            s.show_id
                                .and_then(|id| titles.get(&id).cloned())
                                .unwrap_or_default(),
                        );
                    });
                });
            });
    }
}

/// The item a typed or scanned code means: a small number is the item's place on screen; a
/// barcode (UPC-A or EAN-13 form) is looked up.
fn pick_item(items: &[SellItem], text: &str) -> Result<usize, String> {
    if text.len() <= 3
        && let Ok(n) = text.parse::<usize>()
    {
        return if (1..=items.len()).contains(&n) {
            Ok(n - 1)
        } else {
            Err(format!("There is no item {n} on this screen"))
        };
    }
    match Barcode::parse(text) {
        Ok(_) => db_shows::find_by_barcode(items, text)
            .and_then(|found| items.iter().position(|i| i.item == found.item))
            .ok_or_else(|| format!("Barcode {text} is not one of this show's items")),
        Err(e) => Err(format!("“{text}” is not a barcode: {e}")),
    }
}

/// The sale of item `i` as the screen's fields describe it.
fn sale_input(m: &MerchMode, i: usize) -> Result<SaleInput, String> {
    let item = &m.items[i];
    let quantity: i64 = m
        .quantity
        .trim()
        .parse()
        .map_err(|_| format!("Quantity: “{}” is not a whole number", m.quantity.trim()))?;
    let price = item.price.ok_or_else(|| {
        format!(
            "“{}” has no price in {}: set it in the Catalog",
            item.name, m.show.currency
        )
    })?;
    let discount = Discount::parse(&m.discount, m.show.currency).map_err(|e| e.to_string())?;
    let input = SaleInput {
        item: item.item,
        description: item.name.clone(),
        artist_id: item.artist_id,
        quantity,
        unit_price: price,
        discount,
        payment: m.payment,
    };
    input.amounts().map_err(|e| e.to_string())?;
    Ok(input)
}

fn send_sale(ctx: &mut PanelCtx<'_>, m: &mut MerchMode, sale: SaleInput, started: Instant) {
    ctx.send(Command::Shows(
        Box::new(Op::Sell {
            show: m.show.id,
            sale,
            at: Utc::now().naive_utc(),
        }),
        Some(started),
    ));
    m.quantity = "1".to_owned();
    m.discount.clear();
}

/// One big button on the merch screen.
fn item_button_ui(
    ui: &mut Ui,
    i: usize,
    item: &SellItem,
    thumb: Option<&TextureHandle>,
    money: &dyn Fn(i64) -> String,
) -> egui::Response {
    let size = egui::vec2(230.0, 96.0);
    let key = if i < 9 {
        format!("F{}", i + 1)
    } else {
        format!("{}", i + 1)
    };
    let price = item.price.map_or_else(|| "no price".to_owned(), money);
    let stock = if item.stock <= 0 {
        "none left".to_owned()
    } else {
        format!("{} left", item.stock)
    };
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::click());
    let name = format!("{}. {}", i + 1, item.name);
    widgets::name_widget(&response, egui::Role::Button, &name);
    let visuals = ui.style().interact(&response);
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 8.0, visuals.bg_fill);
    painter.rect_stroke(rect, 8.0, visuals.bg_stroke, egui::StrokeKind::Inside);
    let stripe = egui::Rect::from_min_size(rect.min, egui::vec2(64.0, rect.height()));
    if let Some(thumb) = thumb {
        let image_rect = egui::Rect::from_center_size(stripe.center(), egui::vec2(56.0, 56.0));
        painter.image(
            thumb.id(),
            image_rect,
            egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
            Color32::WHITE,
        );
    } else {
        painter.rect_filled(stripe.shrink(6.0), 6.0, item_colour(&item.name));
    }
    let text_x = stripe.right() + 8.0;
    let color = visuals.text_color();
    let wrap_width = rect.right() - 8.0 - text_x;
    // The name on up to two lines, cut with "…"; the artist on one line below it.
    let elided = |text: String, size: f32, color: Color32, rows: usize| {
        let mut job = egui::text::LayoutJob::simple(
            text,
            egui::FontId::proportional(size),
            color,
            wrap_width,
        );
        job.wrap.max_rows = rows;
        job.wrap.break_anywhere = false;
        job.wrap.overflow_character = Some('…');
        ui.ctx().fonts_mut(|f| f.layout_job(job))
    };
    let name_galley = elided(format!("{key} · {}", item.name), 14.0, color, 2);
    let name_height = name_galley.size().y;
    painter.galley(egui::pos2(text_x, rect.top() + 6.0), name_galley, color);
    let artist_galley = elided(item.artist.clone(), 12.0, theme::weak_color(ui), 1);
    painter.galley(
        egui::pos2(text_x, rect.top() + 8.0 + name_height),
        artist_galley,
        color,
    );
    painter.text(
        egui::pos2(text_x, rect.bottom() - 10.0),
        egui::Align2::LEFT_BOTTOM,
        &price,
        egui::FontId::proportional(20.0),
        color,
    );
    let stock_color = if item.stock <= 0 {
        theme::error_color(ui)
    } else {
        theme::weak_color(ui)
    };
    painter.text(
        egui::pos2(rect.right() - 8.0, rect.bottom() - 12.0),
        egui::Align2::RIGHT_BOTTOM,
        stock,
        egui::FontId::proportional(12.0),
        stock_color,
    );
    response
}

/// A steady colour per item name, for items without cover art.
fn item_colour(name: &str) -> Color32 {
    let hash = name.bytes().fold(2_166_136_261_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    });
    let hue = (hash % 360) as f32 / 360.0;
    egui::ecolor::Hsva::new(hue, 0.45, 0.55, 1.0).into()
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut t: String = text.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// The right side of merch mode: recent sales and the mailing-list sign-up.
fn merch_side_ui(
    ui: &mut Ui,
    m: &mut MerchMode,
    ctx: &mut PanelCtx<'_>,
    money: &dyn Fn(i64) -> String,
) {
    ui.strong("Recent sales");
    if m.sales.is_empty() {
        widgets::hint_ui(ui, "No sales yet tonight.");
    }
    let voided: std::collections::HashSet<_> = m.sales.iter().filter_map(|s| s.voids).collect();
    for sale in m.sales.iter().rev().filter(|s| s.voids.is_none()).take(8) {
        let text = format!(
            "{} {} × {} · {} {}",
            sale.sold_at.format("%H:%M"),
            sale.quantity,
            truncate(&sale.description, 22),
            money(sale.total),
            sale.payment.label().to_lowercase()
        );
        if voided.contains(&sale.id) {
            ui.label(
                RichText::new(format!("{text} (undone)"))
                    .strikethrough()
                    .color(theme::weak_color(ui)),
            );
        } else {
            ui.label(text);
        }
    }
    ui.add_space(12.0);
    ui.separator();
    ui.strong("Join the mailing list");
    egui::Grid::new("signup_form")
        .num_columns(2)
        .show(ui, |ui| {
            widgets::field_ui(ui, "Name", &mut m.signup_name, None);
            widgets::field_ui(ui, "E-mail", &mut m.signup_email, None);
        });
    ui.checkbox(&mut m.signup_consent, "Agrees to get news from the label");
    if ui
        .add_enabled(
            m.signup_consent && !m.signup_email.trim().is_empty(),
            egui::Button::new("Add to mailing list"),
        )
        .clicked()
    {
        ctx.send(Command::Shows(
            Box::new(Op::Signup {
                show: Some(m.show.id),
                name: m.signup_name.trim().to_owned(),
                email: m.signup_email.trim().to_owned(),
                at: Utc::now().naive_utc(),
            }),
            None,
        ));
        m.signup_name.clear();
        m.signup_email.clear();
        m.signup_consent = false;
    }
}

/// The end-of-show report: per item, per artist, money and the cash box.
/// A number right-aligned in its grid cell, so columns of amounts line up.
fn number_ui(ui: &mut Ui, text: String) {
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        ui.label(text);
    });
}

fn report_ui(ui: &mut Ui, show: &Show, r: &ShowReport) {
    let money = |m: i64| Money::new(m, show.currency).to_string();
    ui.strong("End-of-show report");
    ui.columns(2, |cols| {
        egui::Grid::new("report_items")
            .striped(true)
            .num_columns(3)
            .show(&mut cols[0], |ui| {
                ui.strong("Item");
                ui.strong("Units");
                ui.strong("Takings");
                ui.end_row();
                for row in &r.by_item {
                    ui.label(&row.name);
                    number_ui(ui, row.units.to_string());
                    number_ui(ui, money(row.takings));
                    ui.end_row();
                }
                ui.separator();
                ui.end_row();
                for row in &r.by_artist {
                    ui.label(&row.name);
                    number_ui(ui, row.units.to_string());
                    number_ui(ui, money(row.takings));
                    ui.end_row();
                }
            });
        egui::Grid::new("report_money")
            .num_columns(2)
            .show(&mut cols[1], |ui| {
                let line = |ui: &mut Ui, label: &str, value: String| {
                    ui.label(label);
                    number_ui(ui, value);
                    ui.end_row();
                };
                line(ui, "Sales", format!("{} ({} undone)", r.sales, r.voided));
                line(ui, "Cash sales", money(r.cash_sales));
                line(ui, "Card sales", money(r.card_sales));
                line(ui, "Discounts given", money(r.discounts));
                line(ui, "Takings", money(r.takings));
                line(
                    ui,
                    &format!("Venue commission ({})", show.commission),
                    money(-r.commission),
                );
                line(ui, "Net to the label", money(r.net));
                line(
                    ui,
                    "Cash expected (float + cash sales)",
                    money(r.cash_expected),
                );
                match r.cash_difference {
                    Some(d) => {
                        line(
                            ui,
                            "Cash counted",
                            money(r.cash_counted.unwrap_or_default()),
                        );
                        let what = if d < 0 { "Cash short" } else { "Cash over" };
                        line(ui, what, money(d));
                    }
                    None => line(ui, "Cash counted", "not yet".to_owned()),
                }
            });
    });
}

/// A format by its barcode (either form).
fn find_format(
    conn: &rusqlite::Connection,
    text: &str,
) -> Result<Option<crate::model::FormatId>, crate::db::DbError> {
    let Ok(code) = Barcode::parse(text.trim()) else {
        return Ok(None);
    };
    Ok(crate::db::formats::find_by_barcode(conn, &code)?
        .into_iter()
        .find(|f| f.kind != crate::model::FormatKind::Digital)
        .map(|f| f.id))
}

/// Movement, transfer and warning forms for the selected stock item.
fn stock_forms_ui(ui: &mut Ui, s: &mut StockTab, locations: &[Location], ctx: &mut PanelCtx<'_>) {
    let Some(item) = s.selected else {
        widgets::hint_ui(
            ui,
            "Pick an item above (or find a format by barcode) to record stock.",
        );
        location_form_ui(ui, s, ctx);
        return;
    };
    let name = s
        .rows
        .iter()
        .find(|r| r.item == item)
        .map_or_else(|| item.to_string(), |r| r.name.clone());
    ui.strong(&name);
    let ids: Vec<Option<LocationId>> = locations.iter().map(|l| Some(l.id)).collect();
    let loc_name = |id: Option<LocationId>| {
        id.and_then(|id| locations.iter().find(|l| l.id == id))
            .map_or_else(|| "Choose…".to_owned(), |l| l.name.clone())
    };
    if s.location.is_none() {
        s.location = locations.first().map(|l| l.id);
    }
    let reasons: Vec<Option<MovementReason>> = [
        MovementReason::Received,
        MovementReason::Count,
        MovementReason::Gift,
        MovementReason::Damaged,
    ]
    .into_iter()
    .map(Some)
    .collect();
    if s.reason.is_none() {
        s.reason = Some(MovementReason::Received);
    }
    egui::Grid::new("stock_form")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            widgets::field_ui(ui, "Quantity", &mut s.quantity, None);
            ui.label("Why");
            widgets::choice_ui(ui, "Why", "stock_reason", &mut s.reason, &reasons, |r| {
                r.map_or_else(String::new, |r| r.label().to_owned())
            });
            ui.end_row();
            ui.label("At");
            widgets::choice_ui(ui, "At", "stock_location", &mut s.location, &ids, loc_name);
            ui.end_row();
            widgets::field_ui(ui, "Note", &mut s.note, None);
        });
    let quantity: Result<i64, String> = s
        .quantity
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("Quantity: “{}” is not a whole number", s.quantity.trim()));
    ui.horizontal(|ui| {
        if ui.button("Record").clicked() {
            match (quantity.clone(), s.reason, s.location) {
                (Ok(q), Some(reason), Some(location)) => {
                    // Gifts and damage take stock out whatever sign was typed.
                    let q = if matches!(reason, MovementReason::Gift | MovementReason::Damaged) {
                        -q.abs()
                    } else {
                        q
                    };
                    ctx.send(Command::Shows(
                        Box::new(Op::Move(Movement {
                            item,
                            location,
                            quantity: q,
                            reason,
                            note: s.note.trim().to_owned(),
                        })),
                        None,
                    ));
                    s.quantity.clear();
                    s.note.clear();
                }
                (Err(e), _, _) => s.error = Some(e),
                _ => s.error = Some("Choose why and where".to_owned()),
            }
        }
        ui.label("or move to");
        widgets::choice_ui(ui, "Move to", "stock_to", &mut s.to, &ids, loc_name);
        if ui.button("Transfer").clicked() {
            match (quantity.clone(), s.location, s.to) {
                (Ok(q), Some(from), Some(to)) => {
                    ctx.send(Command::Shows(
                        Box::new(Op::Transfer {
                            item,
                            from,
                            to,
                            quantity: q,
                        }),
                        None,
                    ));
                    s.quantity.clear();
                }
                (Err(e), _, _) => s.error = Some(e),
                _ => s.error = Some("Choose where from and where to".to_owned()),
            }
        }
    });
    if let StockItem::Format(format) = item {
        ui.horizontal(|ui| {
            let label = ui.label("Warn below");
            ui.add(egui::TextEdit::singleline(&mut s.low).desired_width(60.0))
                .labelled_by(label.id);
            if ui.button("Set warning").clicked() {
                match s.low.trim().parse::<u32>() {
                    Ok(level) => ctx.send(Command::Shows(
                        Box::new(Op::LowStock { format, level }),
                        None,
                    )),
                    Err(_) => {
                        s.error = Some(format!(
                            "Warn below: “{}” is not a whole number",
                            s.low.trim()
                        ));
                    }
                }
            }
        });
    }
    ui.add_space(6.0);
    ui.strong("History");
    for h in s.history.iter().take(30) {
        ui.label(format!(
            "{} · {} · {:+} · {}{}",
            h.moved_at
                .get(..16)
                .unwrap_or(&h.moved_at)
                .replace('T', " "),
            h.location,
            h.quantity,
            h.reason.label(),
            if h.note.is_empty() {
                String::new()
            } else {
                format!(" · {}", h.note)
            }
        ));
    }
    location_form_ui(ui, s, ctx);
}

fn location_form_ui(ui: &mut Ui, s: &mut StockTab, ctx: &mut PanelCtx<'_>) {
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        let label = ui.label("New location");
        ui.add(
            egui::TextEdit::singleline(&mut s.new_location)
                .desired_width(160.0)
                .hint_text("e.g. Rough Trade (consignment)"),
        )
        .labelled_by(label.id);
        if ui.button("Add location").clicked() {
            ctx.send(Command::Shows(
                Box::new(Op::AddLocation {
                    name: s.new_location.trim().to_owned(),
                    kind: LocationKind::Other,
                }),
                None,
            ));
            s.new_location.clear();
        }
    });
}

fn new_merch_ui(
    ui: &mut Ui,
    s: &mut StockTab,
    artists: &[(ArtistId, String)],
    _locations: &[Location],
    ctx: &mut PanelCtx<'_>,
) {
    let f = &mut s.merch;
    ui.horizontal(|ui| {
        ui.strong(if f.id.is_unsaved() {
            "New merch item"
        } else {
            "Edit merch item"
        });
        if !f.id.is_unsaved() && ui.small_button("New item instead").clicked() {
            *f = MerchForm::default();
        }
    });
    if f.kind.is_none() {
        f.kind = Some(MerchKind::Shirt);
    }
    let kinds: Vec<Option<MerchKind>> = MerchKind::ALL.iter().copied().map(Some).collect();
    egui::Grid::new("merch_form")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            ui.label("Kind");
            widgets::choice_ui(ui, "Kind", "merch_kind", &mut f.kind, &kinds, |k| {
                k.map_or_else(String::new, |k| k.label().to_owned())
            });
            ui.end_row();
            widgets::field_ui(ui, "Merch name", &mut f.name, None);
            widgets::field_ui(ui, "Size", &mut f.size, None);
            widgets::field_ui(ui, "Colour", &mut f.colour, None);
            widgets::field_ui(ui, "Price", &mut f.price, None);
            widgets::field_ui(ui, "Merch barcode", &mut f.barcode, None);
            widgets::field_ui(ui, "Artist (empty: the label's)", &mut f.artist, None);
        });
    let save_label = if f.id.is_unsaved() {
        "Add merch item"
    } else {
        "Save merch item"
    };
    if ui.button(save_label).clicked() {
        let currency = ctx
            .report(crate::db::labels::home_currency(ctx.catalog.conn()))
            .unwrap_or_default();
        let result = (|| -> Result<MerchItem, String> {
            let price = Money::parse(&f.price, currency)
                .map_err(|e| format!("Price: {e}"))?
                .minor;
            let mut item = MerchItem::new(
                f.kind.unwrap_or(MerchKind::Other),
                f.name.trim(),
                price,
                currency,
            );
            item.id = f.id;
            item.size = f.size.trim().to_owned();
            item.colour = f.colour.trim().to_owned();
            if !f.barcode.trim().is_empty() {
                item.barcode =
                    Some(Barcode::parse(f.barcode.trim()).map_err(|e| format!("Barcode: {e}"))?);
            }
            let wanted = f.artist.trim();
            if !wanted.is_empty() {
                let found = artists
                    .iter()
                    .find(|(_, n)| n.eq_ignore_ascii_case(wanted))
                    .ok_or_else(|| format!("Artist: no artist called “{wanted}” in the roster"))?;
                item.artist_id = Some(found.0);
            }
            item.validate().map_err(|e| e.to_string())?;
            Ok(item)
        })();
        match result {
            Ok(item) => {
                ctx.send(Command::Shows(Box::new(Op::SaveMerch(item)), None));
                *f = MerchForm::default();
            }
            Err(e) => s.error = Some(e),
        }
    }
}
