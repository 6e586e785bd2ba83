//! First run: an empty catalog offers the demo label or a clean start.

use egui::RichText;

use crate::command::Command;

/// The welcome screen shown on an empty catalog.
pub fn welcome_ui(ui: &mut egui::Ui, label_name: &mut String, commands: &mut Vec<Command>) {
    ui.add_space(48.0);
    ui.vertical_centered(|ui| {
        ui.set_max_width(560.0);
        ui.heading(RichText::new("Welcome to Labeldesk").size(28.0));
        ui.add_space(8.0);
        ui.label(
            "Your whole label in one file on this laptop: roster, releases, release plans, sales, contracts and the merch table.",
        );
        ui.label("Nothing here needs the internet.");
        ui.add_space(28.0);
        ui.group(|ui| {
            ui.set_width(520.0);
            ui.label(RichText::new("Look around first").strong());
            ui.label(
                "A demo label with 8 artists and 20 releases in every status and format, last month's show and a recording agreement.",
            );
            ui.add_space(6.0);
            if ui
                .add(egui::Button::new(
                    RichText::new("Create demo label").size(16.0),
                ))
                .clicked()
            {
                commands.push(Command::CreateDemo);
            }
        });
        ui.add_space(16.0);
        ui.group(|ui| {
            ui.set_width(520.0);
            ui.label(RichText::new("Start your own").strong());
            ui.horizontal(|ui| {
                let label = ui.label("Your label's name");
                ui.add(
                    egui::TextEdit::singleline(label_name)
                        .hint_text("e.g. Saltmarsh Records")
                        .desired_width(260.0),
                )
                .labelled_by(label.id);
            });
            ui.add_space(6.0);
            if ui
                .add(egui::Button::new(RichText::new("Start empty").size(16.0)))
                .clicked()
            {
                commands.push(Command::StartEmpty {
                    label_name: label_name.clone(),
                });
            }
        });
    });
}
