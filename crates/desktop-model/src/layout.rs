//! Where the app's windows go on the screen, as plain numbers (logical pixels).
//!
//! The banner is a strip along the top, always on top. A window opened under it would hide
//! its own title bar (and its close button) behind the strip, so windows open below the strip
//! and are made short enough to fit beneath it.

/// Height of the banner strip.
pub const BANNER_HEIGHT: f64 = 64.0;

/// Room kept for a window manager's title bar above a window's content.
pub const TITLE_BAR: f64 = 40.0;

/// A rectangle: left, top, width, height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Where a window of content size `want` (width, height) opens on `screen`: centred across,
/// its title bar below the banner strip, cut to fit what is left of the screen.
pub fn below_banner(screen: Rect, want: (f64, f64)) -> Rect {
    let top = screen.y + BANNER_HEIGHT + TITLE_BAR;
    let room = (screen.y + screen.height - top - 8.0).max(240.0);
    let width = want.0.min(screen.width);
    let height = want.1.min(room);
    Rect {
        x: screen.x + (screen.width - width).max(0.0) / 2.0,
        y: top + (room - height).max(0.0) / 2.0,
        width,
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREEN: Rect = Rect {
        x: 0.0,
        y: 0.0,
        width: 1280.0,
        height: 800.0,
    };

    #[test]
    fn a_tall_window_opens_below_the_strip_and_fits_the_screen() {
        let r = below_banner(SCREEN, (640.0, 720.0));
        assert!(
            r.y - TITLE_BAR >= BANNER_HEIGHT,
            "title bar below the strip: {r:?}"
        );
        assert!(r.y + r.height <= SCREEN.height, "fits: {r:?}");
        assert_eq!((r.x, r.width), (320.0, 640.0));
    }

    #[test]
    fn a_small_window_is_centred_in_the_room_left() {
        let r = below_banner(SCREEN, (400.0, 300.0));
        assert_eq!(r.height, 300.0);
        let room_mid = (BANNER_HEIGHT + TITLE_BAR + SCREEN.height - 8.0) / 2.0;
        assert!((r.y + r.height / 2.0 - room_mid).abs() < 1.0, "{r:?}");
    }
}
