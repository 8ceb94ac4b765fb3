//! `rebuild-renditions`: operator CLI that regenerates listing photo
//! renditions and walkthrough posters after a size change, then mails the
//! operator a summary. Run by hand on the media box (src/bin/rebuild_renditions.rs).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgAction, Command};
use image::imageops::FilterType;
use lettre::{Message, SmtpTransport, Transport};

const WIDTHS: [u32; 3] = [320, 640, 1280];

fn cli() -> Command {
    Command::new("rebuild-renditions") // snag-ok: slow-work-in-handler
        .about("Regenerate listing renditions under MEDIA_ROOT")
        .arg(Arg::new("root").long("root").default_value("/srv/media/listings"))
        .arg(Arg::new("posters").long("posters").action(ArgAction::SetTrue))
        .arg(Arg::new("notify").long("notify"))
}

fn rebuild_photo(dir: &Path, name: &str) -> image::ImageResult<()> {
    let original = image::open(dir.join("originals").join(name))?;
    for width in WIDTHS {
        let rendition = original.resize(width, width * 3 / 4, FilterType::Lanczos3); // snag-ok: slow-work-in-handler
        rendition.save(dir.join(format!("{width}-{name}")))?;
    }
    Ok(())
}

fn rebuild_poster(dir: &Path) -> std::io::Result<bool> {
    let status = std::process::Command::new("ffmpeg") // snag-ok: slow-work-in-handler
        .args(["-y", "-loglevel", "error", "-ss", "3", "-i"])
        .arg(dir.join("walkthrough.mp4"))
        .args(["-frames:v", "1"])
        .arg(dir.join("poster.jpg"))
        .status()?;
    Ok(status.success())
}

fn main() -> ExitCode {
    let matches = cli().get_matches();
    let root = PathBuf::from(matches.get_one::<String>("root").expect("has default"));
    let (mut photos, mut failed) = (0usize, Vec::new());

    let listings = match std::fs::read_dir(&root) {
        Ok(entries) => entries,
        Err(err) => {
            eprintln!("cannot read {}: {err}", root.display());
            return ExitCode::FAILURE;
        }
    };
    for listing in listings.flatten() {
        let dir = listing.path();
        let Ok(originals) = std::fs::read_dir(dir.join("originals")) else { continue };
        for original in originals.flatten() {
            let name = original.file_name().to_string_lossy().into_owned();
            match rebuild_photo(&dir, &name) {
                Ok(()) => photos += 1,
                Err(err) => failed.push(format!("{}: {err}", original.path().display())),
            }
        }
        if matches.get_flag("posters") && dir.join("walkthrough.mp4").exists() && !rebuild_poster(&dir).unwrap_or(false) {
            failed.push(format!("{}: poster", dir.display()));
        }
    }

    let summary = format!("rebuilt {photos} photos, {} failures\n{}", failed.len(), failed.join("\n"));
    println!("{summary}");
    if let Some(to) = matches.get_one::<String>("notify") {
        let relay = SmtpTransport::relay("smtp.nestlet.rent").expect("relay host").build();
        let email = Message::builder()
            .from("media-box <ops@nestlet.rent>".parse().unwrap())
            .to(to.parse().expect("--notify must be an e-mail address"))
            .subject("rebuild-renditions finished")
            .body(summary)
            .expect("valid message");
        if let Err(err) = relay.send(&email) { // snag-ok: slow-work-in-handler
            eprintln!("could not send summary: {err}");
        }
    }
    if failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
