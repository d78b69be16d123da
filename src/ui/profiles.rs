//! The profiles window: the projects, each with its address and where its key is kept; add,
//! edit, delete (asking about changes not pushed) and reset the sandbox. A key typed here goes
//! to the work thread, which puts it in the keyring; the form forgets it at once.

use crate::api::{DEFAULT_BASE_URL, KeyKind};
use crate::app::backend::drafts_export_path;
use crate::app::{AppState, Command, ProfileForm};
use crate::profiles::{DraftsOnDelete, KEY_FILE_WARNING, KeySource, ProfileSettings, Secret};

pub fn show(ctx: &egui::Context, state: &mut AppState) {
    let mut open = state.show_profiles;
    egui::Window::new("Profiles")
        .open(&mut open)
        .resizable(true)
        .default_width(460.0)
        .show(ctx, |ui| list(ui, state));
    state.show_profiles = open;
    if state.profile_form.is_some() {
        form_window(ctx, state);
    }
    if state.deleting.is_some() {
        delete_window(ctx, state);
    }
    if state.confirm_reset {
        reset_window(ctx, state);
    }
}

fn list(ui: &mut egui::Ui, state: &mut AppState) {
    if let Some(note) = &state.keyring_note {
        ui.colored_label(egui::Color32::from_rgb(190, 130, 0), note);
        ui.separator();
    }
    let profiles = state.profiles.clone();
    egui::Grid::new("profiles_grid")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for p in &profiles {
                let current = state.current.as_ref() == Some(&p.id);
                let mut name = p.name.clone();
                if current {
                    name.push_str("  (open)");
                }
                ui.label(name);
                ui.label(if p.sandbox {
                    "sandbox on this computer".to_owned()
                } else {
                    format!(
                        "{}, {} key",
                        p.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
                        if p.can_write() { "private" } else { "public" }
                    )
                });
                ui.horizontal(|ui| {
                    if !current && ui.button(format!("Open {}", p.name)).clicked() {
                        state.commands.push(Command::Open(p.id.clone()));
                    }
                    if p.sandbox {
                        if ui
                            .button("Reset sandbox")
                            .on_hover_text("Erase the sandbox's changes and start again from the sample stores")
                            .clicked()
                        {
                            state.confirm_reset = true;
                        }
                    } else {
                        if ui.button(format!("Edit {}", p.name)).clicked() {
                            state.profile_form = Some(ProfileForm {
                                editing: Some(p.id.clone()),
                                name: p.name.clone(),
                                base_url: p
                                    .base_url
                                    .clone()
                                    .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned()),
                                public_key: p.key_kind == KeyKind::Public,
                                key_place: match &p.key_source {
                                    KeySource::Environment { .. } => "environment",
                                    KeySource::File => "file",
                                    _ => "keyring",
                                }
                                .into(),
                                env_variable: match &p.key_source {
                                    KeySource::Environment { variable } => variable.clone(),
                                    _ => String::new(),
                                },
                                file_opt_in: p.key_source == KeySource::File,
                                key: String::new(),
                            });
                        }
                        if ui.button(format!("Delete {}", p.name)).clicked() {
                            state.deleting = Some((p.id.clone(), None));
                        }
                    }
                });
                ui.end_row();
            }
        });
    ui.separator();
    if ui.button("Add a profile").clicked() {
        state.profile_form = Some(ProfileForm {
            base_url: DEFAULT_BASE_URL.to_owned(),
            key_place: if state.keyring_note.is_some() {
                "environment".into()
            } else {
                "keyring".into()
            },
            ..ProfileForm::default()
        });
    }
}

fn form_window(ctx: &egui::Context, state: &mut AppState) {
    let Some(mut form) = state.profile_form.take() else {
        return;
    };
    let mut keep_open = true;
    let mut submit = false;
    let title = if form.editing.is_some() {
        "Edit profile"
    } else {
        "Add a profile"
    };
    egui::Window::new(title)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            egui::Grid::new("profile_form")
                .num_columns(2)
                .show(ui, |ui| {
                    let l = ui.label("Profile name");
                    ui.text_edit_singleline(&mut form.name).labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("API address");
                    ui.text_edit_singleline(&mut form.base_url)
                        .labelled_by(l.id);
                    ui.end_row();
                    ui.label("Key kind");
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut form.public_key, false, "Private (can push)");
                        ui.radio_value(&mut form.public_key, true, "Public (read-only)");
                    });
                    ui.end_row();
                    ui.label("Key kept in");
                    ui.vertical(|ui| {
                        ui.radio_value(&mut form.key_place, "keyring".into(), "The system keyring");
                        ui.radio_value(
                            &mut form.key_place,
                            "environment".into(),
                            "An environment variable",
                        );
                        ui.radio_value(
                            &mut form.key_place,
                            "file".into(),
                            "A file only you can read",
                        );
                    });
                    ui.end_row();
                    match form.key_place.as_str() {
                        "environment" => {
                            let l = ui.label("Variable");
                            ui.text_edit_singleline(&mut form.env_variable)
                                .labelled_by(l.id);
                            ui.end_row();
                        }
                        _ => {
                            let l = ui.label("API key");
                            ui.add(
                                egui::TextEdit::singleline(&mut form.key)
                                    .password(true)
                                    .hint_text(if form.editing.is_some() {
                                        "leave empty to keep the key"
                                    } else {
                                        ""
                                    }),
                            )
                            .labelled_by(l.id);
                            ui.end_row();
                        }
                    }
                });
            if let Some(note) = &state.keyring_note
                && form.key_place == "keyring"
            {
                ui.colored_label(egui::Color32::from_rgb(190, 130, 0), note);
            }
            if form.key_place == "file" {
                ui.colored_label(egui::Color32::from_rgb(190, 130, 0), KEY_FILE_WARNING);
                ui.checkbox(
                    &mut form.file_opt_in,
                    "I understand: keep the key in a file",
                );
            }
            let problem = form_problem(&form);
            if let Some(p) = problem {
                ui.colored_label(super::ERROR_COLOUR, p);
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(problem.is_none(), egui::Button::new("Save profile"))
                    .clicked()
                {
                    submit = true;
                }
                if ui.button("Cancel").clicked() {
                    keep_open = false;
                }
            });
        });
    if submit {
        let settings = ProfileSettings {
            name: form.name.trim().to_owned(),
            base_url: form.base_url.trim().to_owned(),
            key_kind: if form.public_key {
                KeyKind::Public
            } else {
                KeyKind::Private
            },
            key_source: match form.key_place.as_str() {
                "environment" => KeySource::Environment {
                    variable: form.env_variable.trim().to_owned(),
                },
                "file" => KeySource::File,
                _ => KeySource::Keyring,
            },
        };
        let key = std::mem::take(&mut form.key);
        let key = (!key.trim().is_empty() && settings.key_source.is_stored())
            .then(|| Secret::new(key.trim()));
        state.commands.push(match form.editing.take() {
            Some(id) => Command::EditProfile { id, settings, key },
            None => Command::AddProfile { settings, key },
        });
        state.show_profiles = false;
        return;
    }
    if keep_open {
        state.profile_form = Some(form);
    }
}

/// Why the form cannot be saved yet.
fn form_problem(form: &ProfileForm) -> Option<&'static str> {
    if form.name.trim().is_empty() {
        return Some("Give the profile a name.");
    }
    if form.key_place == "environment" && form.env_variable.trim().is_empty() {
        return Some("Name the environment variable that holds the key.");
    }
    if form.key_place == "file" && !form.file_opt_in {
        return Some("Tick the box to keep the key in a file, or choose another place.");
    }
    if form.editing.is_none() && form.key_place != "environment" && form.key.trim().is_empty() {
        return Some("Paste the project's API key.");
    }
    None
}

fn delete_window(ctx: &egui::Context, state: &mut AppState) {
    let Some((id, count)) = state.deleting.clone() else {
        return;
    };
    let name = state
        .profiles
        .iter()
        .find(|p| p.id == id)
        .map_or("this profile".to_owned(), |p| p.name.clone());
    let mut close = false;
    let mut chosen = None;
    egui::Window::new("Delete profile")
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            match count {
                None => {
                    ui.label(format!(
                        "Delete \"{name}\"? Its key is erased from where it is kept, and its local copy of the stores goes."
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Delete").clicked() {
                            chosen = Some(DraftsOnDelete::Ask);
                        }
                        close |= ui.button("Cancel").clicked();
                    });
                }
                Some(count) => {
                    ui.label(format!(
                        "\"{name}\" has {count} changes not pushed. What becomes of them?"
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Export them to a file, then delete").clicked() {
                            chosen = Some(DraftsOnDelete::ExportTo(drafts_export_path(&name)));
                        }
                        if ui.button("Discard them and delete").clicked() {
                            chosen = Some(DraftsOnDelete::Discard);
                        }
                        close |= ui.button("Cancel").clicked();
                    });
                }
            }
        });
    if let Some(drafts) = chosen {
        state.commands.push(Command::DeleteProfile { id, drafts });
        close = true;
    }
    if close {
        state.deleting = None;
    }
}

fn reset_window(ctx: &egui::Context, state: &mut AppState) {
    egui::Window::new("Reset the sandbox")
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            ui.label(
                "Erase every change made in the sandbox, pushed or not, and start again from the sample stores?",
            );
            ui.horizontal(|ui| {
                if ui.button("Reset").clicked() {
                    state.commands.push(Command::ResetSandbox);
                    state.confirm_reset = false;
                }
                if ui.button("Cancel").clicked() {
                    state.confirm_reset = false;
                }
            });
        });
}
