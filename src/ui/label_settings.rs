//! The label settings dialog: your label's name, catalog-number prefix (for "next catalog
//! number"), ISRC registrant code (for "assign next ISRC") and home currency.

use egui::RichText;

use super::PanelCtx;
use super::widgets;
use crate::command::Command;
use crate::model::{Currency, Label, validate_isrc_prefix};
use crate::undo::{Change, Edit};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Draft {
    base: Option<Label>,
    name: String,
    catno_prefix: String,
    isrc_prefix: String,
    currency: String,
    notes: String,
}

impl Draft {
    fn from_label(label: Option<Label>) -> Self {
        let shown = label.clone().unwrap_or_else(|| Label {
            is_own: true,
            ..Label::new("")
        });
        Self {
            name: shown.name.clone(),
            catno_prefix: shown.catno_prefix.clone(),
            isrc_prefix: shown.isrc_prefix.clone().unwrap_or_default(),
            currency: shown.currency.as_str().to_owned(),
            notes: shown.notes.clone(),
            base: label,
        }
    }

    /// The label to save, or the reason per field.
    fn to_label(&self) -> Result<Label, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let mut label = self.base.clone().unwrap_or_else(|| Label {
            is_own: true,
            ..Label::new("")
        });
        label.name = self.name.trim().to_owned();
        label.catno_prefix = self.catno_prefix.trim().to_owned();
        label.notes.clone_from(&self.notes);
        label.isrc_prefix = match self.isrc_prefix.trim() {
            "" => None,
            text => match validate_isrc_prefix(text) {
                Ok(prefix) => Some(prefix),
                Err(e) => {
                    errors.push(("isrc", e.to_string()));
                    None
                }
            },
        };
        match Currency::parse(&self.currency) {
            Ok(currency) => label.currency = currency,
            Err(e) => errors.push(("currency", e.to_string())),
        }
        if let Err(e) = label.validate() {
            errors.push(("name", e.to_string()));
        }
        if errors.is_empty() {
            Ok(label)
        } else {
            Err(errors)
        }
    }
}

/// The dialog's state.
#[derive(Debug, Default)]
pub struct LabelSettings {
    draft: Option<Draft>,
}

impl LabelSettings {
    /// Opens the dialog on the user's own label (a new one if none exists yet).
    pub fn open(&mut self, ctx: &mut PanelCtx<'_>) {
        let own = ctx
            .report(crate::db::labels::own(ctx.catalog.conn()))
            .flatten();
        self.draft = Some(Draft::from_label(own));
    }

    #[must_use]
    pub fn is_open(&self) -> bool {
        self.draft.is_some()
    }

    /// Closes without saving (Escape).
    pub fn close(&mut self) {
        self.draft = None;
    }

    pub fn ui(&mut self, egui_ctx: &egui::Context, ctx: &mut PanelCtx<'_>) {
        let Some(draft) = &mut self.draft else { return };
        let result = draft.to_label();
        let error = |field: &str| match &result {
            Err(errors) => errors
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, m)| m.clone()),
            Ok(_) => None,
        };
        let (name_error, isrc_error, currency_error) =
            (error("name"), error("isrc"), error("currency"));
        let mut save = false;
        let mut cancel = false;
        let modal = egui::Modal::new(egui::Id::unique("label_settings")).show(egui_ctx, |ui| {
            ui.set_width(460.0);
            ui.heading("Your label");
            widgets::hint_ui(ui, "Used to suggest the next catalog number and ISRC, and for prices.");
            ui.add_space(8.0);
            egui::Grid::new("label_settings_grid").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
                widgets::field_ui(ui, "Label name", &mut draft.name, name_error.as_deref());
                widgets::field_ui(ui, "Catalog-number prefix", &mut draft.catno_prefix, None);
                widgets::field_ui(ui, "ISRC registrant code", &mut draft.isrc_prefix, isrc_error.as_deref());
                widgets::field_ui(ui, "Home currency", &mut draft.currency, currency_error.as_deref());
                widgets::multiline_field_ui(ui, "Notes", &mut draft.notes, 2);
            });
            widgets::hint_ui(ui, "ISRC registrant code: country + registrant, e.g. GB-AYE (from your national ISRC agency).");
            ui.add_space(10.0);
            ui.horizontal(|ui| {
                if ui.add_enabled(result.is_ok(), egui::Button::new(RichText::new("Save").strong())).clicked() {
                    save = true;
                }
                if ui.button("Cancel").clicked() {
                    cancel = true;
                }
            });
        });
        if modal.should_close() {
            cancel = true;
        }
        if save && let Ok(label) = result {
            let change = Change::Label {
                before: draft.base.clone(),
                after: Some(label),
            };
            ctx.send(Command::Edit(Edit::one("Edit label settings", change)));
            self.draft = None;
        } else if cancel {
            self.draft = None;
        }
    }
}
