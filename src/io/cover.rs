//! Cover images: a PNG or JPEG from the user becomes a downscaled copy (at most
//! [`MAX_SIDE`] pixels a side and 1 MiB) plus a small PNG thumbnail, ready to store.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageFormat, imageops::FilterType};

use crate::db::covers::Cover;

/// Longest side of the stored image.
pub const MAX_SIDE: u32 = 1000;
/// Longest side of the thumbnail.
pub const THUMB_SIDE: u32 = 96;
/// Largest stored image.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Largest file we are willing to read.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Why an image could not be used as a cover.
#[derive(Debug, thiserror::Error)]
pub enum CoverError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is {size} MB: covers up to 64 MB can be read")]
    TooLarge { path: String, size: u64 },
    #[error("{0}: only PNG and JPEG images can be used as covers")]
    NotAnImage(String),
    #[error("{0}: the image could not be decoded ({1})")]
    Decode(String, String),
    #[error("the cover could not be encoded: {0}")]
    Encode(String),
}

/// True for file names a cover can be read from (PNG, JPEG), by extension.
#[must_use]
pub fn is_image_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
}

/// Reads and prepares a cover from a file.
///
/// # Errors
/// Unreadable, too large, not PNG/JPEG, or undecodable files.
pub fn from_file(path: &Path) -> Result<Cover, CoverError> {
    let shown = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|source| CoverError::Read {
            path: shown.clone(),
            source,
        })?
        .len();
    if size > MAX_INPUT_BYTES {
        return Err(CoverError::TooLarge {
            path: shown,
            size: size / (1024 * 1024),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| CoverError::Read {
        path: shown.clone(),
        source,
    })?;
    prepare(&bytes, &shown)
}

/// Prepares a cover from image bytes (`name` is used in messages).
///
/// # Errors
/// Not PNG/JPEG, or undecodable bytes.
pub fn prepare(bytes: &[u8], name: &str) -> Result<Cover, CoverError> {
    let format = image::guess_format(bytes).map_err(|_| CoverError::NotAnImage(name.to_owned()))?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg) {
        return Err(CoverError::NotAnImage(name.to_owned()));
    }
    let image = image::load_from_memory_with_format(bytes, format)
        .map_err(|e| CoverError::Decode(name.to_owned(), e.to_string()))?;
    let mut side = MAX_SIDE;
    loop {
        let scaled = fit(&image, side);
        let (mime, encoded) = encode(&scaled, format)?;
        if encoded.len() <= MAX_BYTES || side <= 200 {
            let thumb = fit(&image, THUMB_SIDE);
            let (_, thumbnail) = encode(&thumb, ImageFormat::Png)?;
            return Ok(Cover {
                mime: mime.to_owned(),
                image: encoded,
                thumbnail,
                width: scaled.width(),
                height: scaled.height(),
            });
        }
        side = side * 3 / 4;
    }
}

fn fit(image: &DynamicImage, side: u32) -> DynamicImage {
    if image.width() <= side && image.height() <= side {
        image.clone()
    } else {
        image.resize(side, side, FilterType::Triangle)
    }
}

fn encode(
    image: &DynamicImage,
    format: ImageFormat,
) -> Result<(&'static str, Vec<u8>), CoverError> {
    let mut out = Cursor::new(Vec::new());
    let (mime, format, image) = if format == ImageFormat::Jpeg {
        (
            "image/jpeg",
            ImageFormat::Jpeg,
            DynamicImage::ImageRgb8(image.to_rgb8()),
        )
    } else {
        ("image/png", ImageFormat::Png, image.clone())
    };
    image
        .write_to(&mut out, format)
        .map_err(|e| CoverError::Encode(e.to_string()))?;
    Ok((mime, out.into_inner()))
}

/// Decodes stored cover bytes into an egui image.
///
/// # Errors
/// Undecodable bytes.
pub fn decode_for_display(bytes: &[u8]) -> Result<egui::ColorImage, CoverError> {
    let image = image::load_from_memory(bytes)
        .map_err(|e| CoverError::Decode("cover".to_owned(), e.to_string()))?;
    let rgba = image.to_rgba8();
    let size = [rgba.width() as usize, rgba.height() as usize];
    Ok(egui::ColorImage::from_rgba_unmultiplied(
        size,
        rgba.as_raw(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([
                u8::try_from(x % 256).expect("byte"),
                u8::try_from(y % 256).expect("byte"),
                90,
            ])
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(image)
            .write_to(&mut out, ImageFormat::Png)
            .expect("encode");
        out.into_inner()
    }

    #[test]
    fn large_images_are_downscaled_with_a_small_thumbnail() {
        let cover = prepare(&png(2400, 1800), "big.png").expect("prepare");
        assert_eq!((cover.width, cover.height), (1000, 750));
        assert_eq!(cover.mime, "image/png");
        assert!(cover.image.len() <= MAX_BYTES);
        let thumb = image::load_from_memory(&cover.thumbnail).expect("thumbnail decodes");
        assert_eq!((thumb.width(), thumb.height()), (96, 72));
        assert!(cover.thumbnail.len() <= 65_536);
    }

    #[test]
    fn small_images_keep_their_size_and_non_images_are_refused() {
        let cover = prepare(&png(300, 300), "small.png").expect("prepare");
        assert_eq!((cover.width, cover.height), (300, 300));
        let err = prepare(b"GIF89a....", "anim.gif").expect_err("gif");
        assert!(
            err.to_string().contains("anim.gif") && err.to_string().contains("PNG and JPEG"),
            "{err}"
        );
        let err = prepare(b"hello", "notes.txt").expect_err("text");
        assert!(matches!(err, CoverError::NotAnImage(_)));
        let shown = decode_for_display(&cover.thumbnail).expect("display");
        assert_eq!(shown.size, [96, 96]);
    }
}
