//! What the host shows: the screen as text, the picture, the mode's name.

pub use crate::devices::vga::Frame;
use crate::Pc;

impl Pc {
    /// The text screen, one line a row with trailing blanks removed; empty in graphics modes.
    pub fn screen_text(&self) -> String {
        self.board.vga.screen_text()
    }

    /// The picture, only when it changed since the last call: a write to video memory or to a
    /// register or the DAC that changes what is shown, or the cursor or blink phase turning.
    /// RGBA8888, at the mode's own resolution (the host scales it to 4:3).
    pub fn render_frame(&mut self) -> Option<Frame<'_>> {
        let now = self.board.time_now();
        self.board.vga.render(now)
    }

    /// The picture as last rendered (for screenshots), rendering one first if none was.
    pub fn current_frame(&mut self) -> Option<Frame<'_>> {
        let now = self.board.time_now();
        self.board.vga.refresh(now);
        self.board.vga.last_frame()
    }

    /// The display mode: "text 80x25", "320x200x256", "vbe 800x600x32".
    pub fn video_mode(&self) -> String {
        self.board.vga.mode_description()
    }
}
