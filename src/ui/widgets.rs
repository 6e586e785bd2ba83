//! Shared widgets: labelled fields with inline validation, enum pickers, confirm dialogs.

use egui::{Response, RichText, Ui};

use super::theme;

/// A labelled single-line field in a two-column [`egui::Grid`] (label, then field with its
/// error below). The field is labelled for screen readers and tests. Returns the field's
/// response: callers save on `lost_focus()` (Enter also ends editing).
pub fn field_ui(ui: &mut Ui, label: &str, value: &mut String, error: Option<&str>) -> Response {
    let label_response = ui.label(label);
    let response = ui
        .vertical(|ui| {
            let mut edit = egui::TextEdit::singleline(value).desired_width(f32::INFINITY);
            if error.is_some() {
                edit = edit.background_color(ui.visuals().error_fg_color.gamma_multiply(0.15));
            }
            let response = ui.add(edit).labelled_by(label_response.id);
            if let Some(error) = error {
                ui.label(RichText::new(error).color(theme::error_color(ui)).small());
            }
            response
        })
        .inner;
    ui.end_row();
    response
}

/// A labelled multi-line field in a two-column grid.
pub fn multiline_field_ui(ui: &mut Ui, label: &str, value: &mut String, rows: usize) -> Response {
    let label_response = ui.label(label);
    let response = ui
        .add(
            egui::TextEdit::multiline(value)
                .desired_rows(rows)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label_response.id);
    ui.end_row();
    response
}

/// A bare text field (in a table cell) labelled for accessibility, red when invalid, with the
/// reason as its tooltip.
pub fn cell_field_ui(
    ui: &mut Ui,
    accessible_label: &str,
    value: &mut String,
    error: Option<&str>,
    width: f32,
) -> Response {
    let edit = egui::TextEdit::singleline(value);
    cell_edit_ui(ui, edit, accessible_label, error, width)
}

/// [`cell_field_ui`] with a fixed widget id, so keyboard focus follows the item (e.g. a track
/// row) when rows are reordered.
pub fn cell_field_with_id_ui(
    ui: &mut Ui,
    id: egui::Id,
    accessible_label: &str,
    value: &mut String,
    error: Option<&str>,
    width: f32,
) -> Response {
    let edit = egui::TextEdit::singleline(value).id(id);
    cell_edit_ui(ui, edit, accessible_label, error, width)
}

fn cell_edit_ui(
    ui: &mut Ui,
    mut edit: egui::TextEdit<'_>,
    accessible_label: &str,
    error: Option<&str>,
    width: f32,
) -> Response {
    if error.is_some() {
        edit = edit.background_color(ui.visuals().error_fg_color.gamma_multiply(0.2));
    }
    let height = ui.spacing().interact_size.y;
    let response = ui.add_sized([width, height], edit);
    name_widget(&response, egui::Role::TextInput, accessible_label);
    match error {
        Some(error) => response.on_hover_text(RichText::new(error).color(theme::error_color(ui))),
        None => response,
    }
}

/// Gives a widget without a visible label its accessible name (screen readers, tests).
pub fn name_widget(response: &Response, role: egui::Role, name: &str) {
    let name = name.to_owned();
    response.widget_info(|| egui::WidgetInfo::labeled(role, true, name.clone()));
}

/// A combo box over a list of choices, named `name` for accessibility; true when the value
/// changed.
pub fn choice_ui<T: Copy + PartialEq>(
    ui: &mut Ui,
    name: &str,
    id_salt: impl egui::AsIdSalt,
    value: &mut T,
    all: &[T],
    label: impl Fn(T) -> String,
) -> bool {
    let mut changed = false;
    let response = egui::ComboBox::from_id_salt(id_salt)
        .selected_text(label(*value))
        .show_ui(ui, |ui| {
            for &choice in all {
                if ui
                    .selectable_label(*value == choice, label(choice))
                    .clicked()
                    && *value != choice
                {
                    *value = choice;
                    changed = true;
                }
            }
        })
        .response;
    name_widget(&response, egui::Role::ComboBox, name);
    changed
}

/// A combo box over optional choices ("Any status", then each one), named for accessibility.
pub fn optional_choice_ui<T: Copy + PartialEq>(
    ui: &mut Ui,
    name: &str,
    none_text: &str,
    value: &mut Option<T>,
    all: &[T],
    label: impl Fn(T) -> String,
) {
    let selected = value.map_or_else(|| none_text.to_owned(), &label);
    let response = egui::ComboBox::from_id_salt(name)
        .selected_text(selected)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, none_text);
            for &choice in all {
                ui.selectable_value(value, Some(choice), label(choice));
            }
        })
        .response;
    name_widget(&response, egui::Role::ComboBox, name);
}

/// A labelled combo box row in a two-column grid; true when the value changed.
pub fn choice_row_ui<T: Copy + PartialEq>(
    ui: &mut Ui,
    label: &str,
    value: &mut T,
    all: &[T],
    text: impl Fn(T) -> String,
) -> bool {
    ui.label(label);
    let changed = choice_ui(ui, label, label, value, all, text);
    ui.end_row();
    changed
}

/// A small coloured badge.
pub fn badge_ui(ui: &mut Ui, text: &str, color: egui::Color32) -> Response {
    ui.label(RichText::new(text).color(color).strong())
}

/// What the user answered in a confirmation dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Pending,
    Confirm,
    Cancel,
}

/// A modal confirmation ("Delete “X”? … [Delete] [Cancel]"); Escape cancels, Enter confirms.
#[must_use]
pub fn confirm_ui(ctx: &egui::Context, id: &str, title: &str, body: &str, confirm: &str) -> Answer {
    let mut answer = Answer::Pending;
    let modal = egui::Modal::new(egui::Id::unique(id)).show(ctx, |ui| {
        ui.set_max_width(420.0);
        ui.heading(title);
        ui.add_space(6.0);
        ui.label(body);
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            if ui
                .button(RichText::new(confirm).color(theme::error_color(ui)))
                .clicked()
                || ui.input(|i| i.key_pressed(egui::Key::Enter))
            {
                answer = Answer::Confirm;
            }
            if ui.button("Cancel").clicked() {
                answer = Answer::Cancel;
            }
        });
    });
    if modal.should_close() && answer == Answer::Pending {
        answer = Answer::Cancel;
    }
    answer
}

/// A small painted triangle after a sorted column's title (no font glyph needed).
pub fn sort_arrow_ui(ui: &mut Ui, descending: bool) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    let c = rect.center();
    let (tip, base) = if descending {
        (c.y + 3.5, c.y - 3.5)
    } else {
        (c.y - 3.5, c.y + 3.5)
    };
    let points = vec![
        egui::pos2(c.x - 4.0, base),
        egui::pos2(c.x + 4.0, base),
        egui::pos2(c.x, tip),
    ];
    let color = ui.visuals().strong_text_color();
    ui.painter().add(egui::Shape::convex_polygon(
        points,
        color,
        egui::Stroke::NONE,
    ));
}

/// A muted explanatory line.
pub fn hint_ui(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(text).color(theme::weak_color(ui)));
}

/// A validation message as a sentence: "name cannot be empty" → "Name cannot be empty".
#[must_use]
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A file being saved where the user picks: the system save dialog and the write run on a
/// named thread, off the frame loop; the panel calls [`SaveJob::poll_into`] each frame.
pub struct SaveJob(std::sync::mpsc::Receiver<Result<String, String>>);

impl SaveJob {
    /// Asks where to save `file_name`, then writes what `make` returns there, on the thread
    /// `thread`. `what` names the file in the messages ("the statement").
    ///
    /// # Errors
    /// When no thread can be started.
    pub fn start(
        thread: &str,
        file_name: String,
        what: &'static str,
        make: impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name(thread.to_owned())
            .spawn(move || {
                let Some(path) = rfd::FileDialog::new().set_file_name(&file_name).save_file()
                else {
                    let _ = tx.send(Err(String::new())); // cancelled: nothing to say
                    return;
                };
                let result = make().and_then(|bytes| {
                    std::fs::write(&path, bytes)
                        .map(|()| format!("Saved {what} to {}", path.display()))
                        .map_err(|e| {
                            format!("{} could not be saved: {}: {e}", what, path.display())
                        })
                });
                let _ = tx.send(result);
            })?;
        Ok(Self(rx))
    }

    /// When the save finished: says how in the status line and empties `job`.
    pub fn poll_into(job: &mut Option<Self>, ctx: &mut super::PanelCtx<'_>) {
        let Some(result) = job.as_ref().and_then(|j| j.0.try_recv().ok()) else {
            return;
        };
        *job = None;
        match result {
            Ok(message) => ctx.send(crate::command::Command::Notify(message)),
            Err(e) if e.is_empty() => {}
            Err(e) => ctx.send(crate::command::Command::Error(e)),
        }
    }
}
