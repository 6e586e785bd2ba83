//! Colours, spacing and the theme setting. All colours used by panels live here.

use egui::Color32;

/// The user's theme choice. On Linux winit often cannot tell the system theme, so "System"
/// falls back to what egui detects, else light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub const ALL: &[Self] = &[Self::System, Self::Light, Self::Dark];

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::System => "System",
            Self::Light => "Light",
            Self::Dark => "Dark",
        }
    }

    /// Applies the choice to the context.
    pub fn apply(self, ctx: &egui::Context) {
        let preference = match self {
            Self::System => egui::ThemePreference::System,
            Self::Light => egui::ThemePreference::Light,
            Self::Dark => egui::ThemePreference::Dark,
        };
        ctx.set_theme(preference);
    }
}

/// Red for invalid input and errors.
#[must_use]
pub fn error_color(ui: &egui::Ui) -> Color32 {
    ui.visuals().error_fg_color
}

/// Amber for warnings (duplicates, infeasible dates).
#[must_use]
pub fn warn_color(ui: &egui::Ui) -> Color32 {
    ui.visuals().warn_fg_color
}

/// Green for done and confirmed (a sale committed).
#[must_use]
pub fn ok_color(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(120, 200, 120)
    } else {
        Color32::from_rgb(30, 120, 40)
    }
}

/// Muted text for hints and secondary details.
#[must_use]
pub fn weak_color(ui: &egui::Ui) -> Color32 {
    ui.visuals().weak_text_color()
}

/// A status colour for badges.
#[must_use]
pub fn release_status_color(status: crate::model::ReleaseStatus, dark: bool) -> Color32 {
    use crate::model::ReleaseStatus as S;
    let (light, darkc) = match status {
        S::Idea => (
            Color32::from_rgb(120, 120, 130),
            Color32::from_rgb(160, 160, 170),
        ),
        S::Planned => (
            Color32::from_rgb(40, 100, 190),
            Color32::from_rgb(110, 160, 240),
        ),
        S::InProduction => (
            Color32::from_rgb(190, 110, 0),
            Color32::from_rgb(240, 170, 60),
        ),
        S::Released => (
            Color32::from_rgb(20, 130, 60),
            Color32::from_rgb(90, 200, 120),
        ),
        S::OutOfPrint => (
            Color32::from_rgb(140, 60, 60),
            Color32::from_rgb(200, 120, 120),
        ),
    };
    if dark { darkc } else { light }
}

/// A status colour for artists.
#[must_use]
pub fn artist_status_color(status: crate::model::ArtistStatus, dark: bool) -> Color32 {
    use crate::model::ArtistStatus as S;
    let (light, darkc) = match status {
        S::Signed => (
            Color32::from_rgb(20, 130, 60),
            Color32::from_rgb(90, 200, 120),
        ),
        S::Prospect => (
            Color32::from_rgb(40, 100, 190),
            Color32::from_rgb(110, 160, 240),
        ),
        S::Alumni => (
            Color32::from_rgb(120, 120, 130),
            Color32::from_rgb(160, 160, 170),
        ),
    };
    if dark { darkc } else { light }
}

/// Height of one table row.
pub const ROW_HEIGHT: f32 = 24.0;
/// Space between form sections.
pub const SECTION_GAP: f32 = 12.0;
