//! The picture, computed from the register state: the CRTC's address generation (start address,
//! offset, byte/word/doubleword modes, the CGA row-scan substitutions, line compare, preset row
//! scan and panning), the sequencer's character clock, the attribute controller's text and
//! graphics paths and the DAC. Output is RGBA8888 at the mode's logical resolution (a 200-line
//! mode is 200 lines even though the monitor scans each twice); the host scales it to 4:3.

use super::font::CP437;
use super::vbe::bytes_per_pixel;
use super::{Vga, FONT_BLOCK_OFFSET};
use crate::devices::Nanos;

/// One picture: `width * height` pixels of red, green, blue, alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    pub width: u32,
    pub height: u32,
    pub rgba: &'a [u8],
    /// The pixel rows that differ from the picture before, first and end (exclusive): all of
    /// them for a first picture or a new size. A host that still shows the picture before
    /// needs to redraw only these (a text cursor's blink is one character row).
    pub changed_rows: (u32, u32),
}

#[derive(Debug, Default)]
pub(super) struct RenderState {
    buf: Vec<u8>,
    width: u32,
    height: u32,
    have: bool,
    /// Cursor and character blink phases the last picture was drawn with.
    phase: (bool, bool),
    /// Rows changed by a [`Vga::refresh`] that no [`Vga::render`] has reported yet.
    undelivered: Option<(u32, u32)>,
    scratch: Vec<u8>,
    line: Vec<u8>,
    /// In text modes, what each character cell of each pixel row of `buf` was drawn from
    /// (see [`cell_sig`]), and the rest of what the text picture depends on: a row whose
    /// cells are the same under the same `text_key` is not drawn again.
    text_sigs: Vec<u32>,
    text_key: Option<TextKey>,
    /// One pixel row's signatures, as worked out before they are compared.
    row_sigs: Vec<u32>,
    /// The characters and attributes of one character row.
    cells: Vec<[u8; 2]>,
}

/// What a text picture depends on besides its cells: its shape and its colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TextKey {
    width: u32,
    height: u32,
    clocks: u32,
    char_w: u32,
    dup: u32,
    pal: [[u8; 4]; 256],
    amap: [u8; 16],
}

/// A text cell's pixels on one pixel row: its 9-dot pattern (the font's 8 dots and the ninth),
/// foreground and background attribute colours. Never `u32::MAX`, which marks a row not drawn.
#[inline]
fn cell_sig(pattern: u32, fg: u8, bg: u8) -> u32 {
    pattern | (fg as u32) << 16 | (bg as u32) << 24
}

/// The first and the end row in which two pictures of rows `row` bytes long differ; None when
/// they are the same.
fn changed_rows(before: &[u8], now: &[u8], row: usize) -> Option<(u32, u32)> {
    if before.len() != now.len() || row == 0 {
        return Some((0, (now.len() / row.max(1)) as u32));
    }
    let differs = |(a, b): (&[u8], &[u8])| a != b;
    let rows = || before.chunks(row).zip(now.chunks(row));
    let first = rows().position(differs)?;
    let last = rows().rposition(differs).unwrap_or(first);
    Some((first as u32, last as u32 + 1))
}

/// The rows `a` or `b` cover (one span from the first to the last).
fn union_rows(a: Option<(u32, u32)>, b: Option<(u32, u32)>) -> Option<(u32, u32)> {
    match (a, b) {
        (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
        (a, b) => a.or(b),
    }
}

/// How the attribute controller turns plane bits into pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shift {
    /// Eight 4-bit pixels a character clock, one bit from each plane.
    Planar,
    /// CGA 320x200: eight 2-bit pixels from planes 0/1 (and 2/3 for the upper bits).
    Interleave,
    /// 256 colours: four 8-bit pixels a character clock, one byte from each plane.
    Colour256,
}

/// The display's shape as the CRTC and sequencer define it.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    text: bool,
    clocks: u32,
    char_w: u32,
    /// Output pixels a dot: 2 for text with the dot clock halved (40 columns), so that every
    /// text mode is 640 or 720 pixels wide.
    dup: u32,
    width: u32,
    height: u32,
    /// Physical scan lines per output line.
    rep: u32,
    /// Row scans that one output line advances by (more than 1 when identical rows collapse).
    step: u32,
    max_scan: u32,
    shift: Shift,
}

impl Vga {
    /// Whether the attribute controller is in text mode (and no VBE mode is on).
    pub fn is_text(&self) -> bool {
        !self.vbe.enabled() && self.attr[0x10] & 1 == 0
    }

    fn geometry(&self) -> Option<Geometry> {
        let text = self.attr[0x10] & 1 == 0;
        let clocks = self.crtc[1] as u32 + 1;
        let char_w = if text && self.seq[1] & 1 == 0 { 9 } else { 8 };
        let dscan = self.crtc[9] & 0x80 != 0;
        let max_scan = (self.crtc[9] & 0x1F) as u32;
        let vde = self.vertical_display_end();
        let shift = if self.gc[5] & 0x40 != 0 {
            Shift::Colour256
        } else if self.gc[5] & 0x20 != 0 {
            Shift::Interleave
        } else {
            Shift::Planar
        };
        let mut rep = if dscan { 2 } else { 1 };
        let mut step = 1;
        // Graphics rows whose address does not depend on the row scan are identical.
        if !text && max_scan > 0 && self.crtc[0x17] & 3 == 3 {
            rep *= max_scan + 1;
            step = max_scan + 1;
        }
        let dup = if text && self.seq[1] & 0x08 != 0 {
            2
        } else {
            1
        };
        let width = if text {
            clocks * char_w * dup
        } else if shift == Shift::Colour256 {
            clocks * 4
        } else {
            clocks * 8
        };
        let height = vde / rep;
        if !(16..=2048).contains(&width) || !(16..=2048).contains(&height) {
            return None;
        }
        Some(Geometry {
            text,
            clocks,
            char_w,
            dup,
            width,
            height,
            rep,
            step,
            max_scan,
            shift,
        })
    }

    /// The memory address (plane offset) the CRTC generates for address counter `counter` on
    /// row scan `rs`.
    #[inline]
    fn crtc_address(&self, counter: u32, rs: u32) -> u32 {
        let c17 = self.crtc[0x17];
        let mut a = if self.crtc[0x14] & 0x40 != 0 {
            (counter << 2) | ((counter >> 14) & 3)
        } else if c17 & 0x40 == 0 {
            let bit = if c17 & 0x20 != 0 { 15 } else { 13 };
            (counter << 1) | ((counter >> bit) & 1)
        } else {
            counter
        };
        if c17 & 1 == 0 {
            a = (a & !0x2000) | ((rs & 1) << 13);
        }
        if c17 & 2 == 0 {
            a = (a & !0x4000) | ((rs & 2) << 13);
        }
        a & 0xFFFF
    }

    fn start_address(&self) -> u32 {
        (self.crtc[0x0C] as u32) << 8 | self.crtc[0x0D] as u32
    }

    /// Counter units from one character row to the next.
    fn row_stride(&self) -> u32 {
        self.crtc[0x13] as u32 * 2
    }

    /// The DAC as RGBA, through the pel mask.
    fn palette(&self) -> [[u8; 4]; 256] {
        let mut p = [[0, 0, 0, 255]; 256];
        let wide = self.vbe.dac_8bit();
        for (i, e) in p.iter_mut().enumerate() {
            let j = (i as u8 & self.pel_mask) as usize * 3;
            for (c, &v) in e.iter_mut().zip(&self.dac[j..j + 3]) {
                *c = if wide { v } else { (v << 2) | (v >> 4) };
            }
        }
        p
    }

    /// A 4-bit attribute colour to its DAC index, through the colour plane enable, the palette
    /// registers and the colour select register.
    fn attribute_map(&self) -> [u8; 16] {
        let mut m = [0u8; 16];
        let enable = self.attr[0x12] & 0xF;
        let cs = self.attr[0x14];
        for (v, e) in m.iter_mut().enumerate() {
            let pal = self.attr[(v as u8 & enable) as usize];
            let low = if self.attr[0x10] & 0x80 != 0 {
                (pal & 0x0F) | (cs & 3) << 4
            } else {
                pal & 0x3F
            };
            *e = low | (cs & 0x0C) << 4;
        }
        m
    }

    /// Cursor and character blink phases at `now` (VGA: cursor every 16 frames, characters
    /// every 32).
    fn blink_phases(&self, now: Nanos) -> (bool, bool) {
        let n = self.frame_number(now);
        ((n >> 3) & 1 == 0, (n >> 4) & 1 == 0)
    }

    /// The picture, if it changed since the last call (memory, registers, the DAC, or in text
    /// modes the cursor or blink phase). `None` means the previous picture still stands. Its
    /// `changed_rows` cover the changes since the last picture this returned, including those a
    /// [`refresh`](Self::refresh) took in between.
    pub fn render(&mut self, now: Nanos) -> Option<Frame<'_>> {
        let new = self.update_picture(now);
        let (first, end) = union_rows(new, self.render.undelivered.take())?;
        let st = &self.render;
        Some(Frame {
            width: st.width,
            height: st.height,
            rgba: &st.buf,
            changed_rows: (first.min(st.height), end.min(st.height)),
        })
    }

    /// Bring the picture up to date (for [`last_frame`](Self::last_frame)) without handing the
    /// change over: the next [`render`](Self::render) still reports its rows, so that a host
    /// that draws only the rows that change misses none.
    pub fn refresh(&mut self, now: Nanos) {
        let new = self.update_picture(now);
        self.render.undelivered = union_rows(new, self.render.undelivered.take());
    }

    /// Draw the picture if anything it depends on changed; the rows that differ from the one
    /// before (all of them for a first picture or a new size), or None.
    fn update_picture(&mut self, now: Nanos) -> Option<(u32, u32)> {
        let phase = if self.is_text() {
            self.blink_phases(now)
        } else {
            (true, true)
        };
        if !self.dirty && self.render.have && phase == self.render.phase {
            return None;
        }
        self.dirty = false;
        self.render.phase = phase;
        if let Some(rows) = self.update_text(phase) {
            return rows;
        }
        self.render.text_key = None;
        let mut out = std::mem::take(&mut self.render.scratch);
        let (w, h) = self.draw(&mut out);
        let st = &mut self.render;
        let rows = if st.have && st.width == w && st.height == h {
            match changed_rows(&st.buf, &out, w as usize * 4) {
                Some(rows) => rows,
                None => {
                    st.scratch = out;
                    return None;
                }
            }
        } else {
            (0, h)
        };
        st.scratch = std::mem::replace(&mut st.buf, out);
        st.width = w;
        st.height = h;
        st.have = true;
        Some(rows)
    }

    /// The last picture [`Vga::render`] produced.
    pub fn last_frame(&self) -> Option<Frame<'_>> {
        let st = &self.render;
        st.have.then_some(Frame {
            width: st.width,
            height: st.height,
            rgba: &st.buf,
            changed_rows: (0, st.height),
        })
    }

    /// Where each pixel row of the picture comes from: the address counter at its start, its
    /// row scan, and whether the line compare's split has come by then.
    fn scan_rows(&self, g: &Geometry) -> impl Iterator<Item = (u32, u32, bool)> {
        let lc = self.line_compare();
        let stride = self.row_stride();
        let mut row_start = self.start_address() + ((self.crtc[8] >> 5) & 3) as u32;
        let mut rs = (self.crtc[8] & 0x1F) as u32;
        let mut split = false;
        let (rep, step, max_scan) = (g.rep, g.step, g.max_scan);
        (0..g.height).map(move |y| {
            let phys = y * rep;
            if !split && lc >= phys && lc < phys + rep {
                split = true;
                row_start = 0;
                rs = 0;
            }
            let row = (row_start, rs, split);
            rs += step;
            if rs > max_scan {
                rs = 0;
                row_start = row_start.wrapping_add(stride);
            }
            row
        })
    }

    /// Whether the display shows nothing (the screen blanked, or the palette being set).
    fn blanked(&self) -> bool {
        self.seq[1] & 0x20 != 0 || self.attr_index & 0x20 == 0
    }

    /// Draw a graphics picture, or a blank or absent one, whole into `out`; returns its size.
    /// (Text pictures are drawn in place by [`update_text`](Self::update_text).)
    fn draw(&mut self, out: &mut Vec<u8>) -> (u32, u32) {
        if self.vbe.enabled() {
            return self.draw_vbe(out);
        }
        let Some(g) = self.geometry() else {
            out.clear();
            out.resize(640 * 480 * 4, 0);
            fill_opaque(out);
            return (640, 480);
        };
        out.clear();
        out.resize((g.width * g.height * 4) as usize, 0);
        if g.text || self.blanked() {
            fill_opaque(out);
            return (g.width, g.height);
        }
        let pal = self.palette();
        let amap = self.attribute_map();
        let mut line = std::mem::take(&mut self.render.line);
        let pan = self.pixel_pan(g);
        // After the split the panning stops when the attribute controller says so.
        let pan_after_split = if self.attr[0x10] & 0x20 != 0 { 0 } else { pan };
        let stride = g.width as usize * 4;
        for (dst, (row_start, rs, split)) in out.chunks_exact_mut(stride).zip(self.scan_rows(&g)) {
            let pan = if split { pan_after_split } else { pan };
            self.graphics_line(&g, row_start, rs, pan, &mut line, dst, &pal, &amap);
        }
        self.render.line = line;
        (g.width, g.height)
    }

    /// Horizontal pel panning in pixels (graphics modes).
    fn pixel_pan(&self, g: Geometry) -> usize {
        let p = (self.attr[0x13] & 0xF) as usize;
        if g.shift == Shift::Colour256 {
            (p & 7) / 2
        } else {
            p & 7
        }
    }

    /// Bring a text picture up to date in place, drawing again only the pixel rows whose cells
    /// changed (an idle text screen changes a few rows at a time: a clock, a cursor's blink).
    /// None when the display is not showing text; else the rows that changed, if any.
    fn update_text(&mut self, phase: (bool, bool)) -> Option<Option<(u32, u32)>> {
        if self.vbe.enabled() || self.blanked() {
            return None;
        }
        let g = self.geometry().filter(|g| g.text)?;
        let key = TextKey {
            width: g.width,
            height: g.height,
            clocks: g.clocks,
            char_w: g.char_w,
            dup: g.dup,
            pal: self.palette(),
            amap: self.attribute_map(),
        };
        let mut st = std::mem::take(&mut self.render);
        let clocks = g.clocks as usize;
        let stride = g.width as usize * 4;
        // A new shape, new colours or a picture that was not text: every row is drawn.
        let whole = !(st.have && st.text_key == Some(key));
        if whole {
            st.buf.clear();
            st.buf.resize(stride * g.height as usize, 0);
            st.text_sigs.clear();
            st.text_sigs.resize(clocks * g.height as usize, u32::MAX);
        }
        let mut row = std::mem::take(&mut st.row_sigs);
        row.resize(clocks, 0);
        let mut changed: Option<(u32, u32)> = None;
        let rows = st
            .buf
            .chunks_exact_mut(stride)
            .zip(st.text_sigs.chunks_exact_mut(clocks));
        // The cells of the character row last fetched: every pixel row of a character row has
        // the same ones unless the CRTC puts the row scan into the address (CGA emulation).
        let mut cells = std::mem::take(&mut st.cells);
        let same_cells_each_scan = self.crtc[0x17] & 3 == 3;
        let mut cells_of = None;
        for (y, ((dst, sigs), (row_start, rs, _))) in rows.zip(self.scan_rows(&g)).enumerate() {
            if !(same_cells_each_scan && cells_of == Some(row_start)) {
                self.fetch_cells(&g, row_start, rs, &mut cells);
                cells_of = Some(row_start);
            }
            self.text_cells(&g, &cells, row_start, rs, phase, &mut row);
            if *sigs == *row {
                continue;
            }
            sigs.copy_from_slice(&row);
            paint_text_row(&g, &row, dst, &key.pal, &key.amap);
            let y = y as u32;
            changed = Some(changed.map_or((y, y + 1), |(first, _)| (first, y + 1)));
        }
        st.row_sigs = row;
        st.cells = cells;
        st.width = g.width;
        st.height = g.height;
        st.have = true;
        st.text_key = Some(key);
        self.render = st;
        Some(if whole { Some((0, g.height)) } else { changed })
    }

    /// The character and attribute of each cell of the character row at `row_start`, as the
    /// CRTC addresses them on row scan `rs`.
    fn fetch_cells(&self, g: &Geometry, row_start: u32, rs: u32, out: &mut Vec<[u8; 2]>) {
        out.clear();
        out.extend((0..g.clocks).map(|col| {
            let a = self.crtc_address(row_start.wrapping_add(col), rs);
            [self.plane_byte(0, a), self.plane_byte(1, a)]
        }));
    }

    /// What each character cell (`cells`, from [`fetch_cells`](Self::fetch_cells)) shows on
    /// pixel row `rs` of the character row at `row_start` ([`cell_sig`]), into `out`.
    #[allow(clippy::too_many_arguments)]
    fn text_cells(
        &self,
        g: &Geometry,
        cells: &[[u8; 2]],
        row_start: u32,
        rs: u32,
        (cursor_on, blink_on): (bool, bool),
        out: &mut [u32],
    ) {
        let sel = self.seq[3];
        let map_a = FONT_BLOCK_OFFSET[(((sel >> 5) & 1) << 2 | (sel >> 2) & 3) as usize];
        let map_b = FONT_BLOCK_OFFSET[(((sel >> 4) & 1) << 2 | sel & 3) as usize];
        let blink = self.attr[0x10] & 0x08 != 0;
        let line_graphics = self.attr[0x10] & 0x04 != 0;
        let mono = self.attr[0x10] & 0x02 != 0;
        let underline = (self.crtc[0x14] & 0x1F) as u32;
        let cursor = (self.crtc[0x0E] as u32) << 8 | self.crtc[0x0F] as u32;
        let (cs, ce) = (
            (self.crtc[0x0A] & 0x1F) as u32,
            (self.crtc[0x0B] & 0x1F) as u32,
        );
        let cursor_row = cursor_on && self.crtc[0x0A] & 0x20 == 0 && rs >= cs && rs <= ce;
        let nine = g.char_w == 9;
        for (col, (sig, &[ch, at])) in out.iter_mut().zip(cells).enumerate() {
            let counter = row_start.wrapping_add(col as u32);
            let font = if at & 0x08 != 0 { map_a } else { map_b };
            let mut bits = self.plane_byte(2, font + ch as u32 * 32 + (rs & 0x1F)) as u32;
            let mut bg = at >> 4;
            if blink {
                bg &= 7;
                if at & 0x80 != 0 && !blink_on {
                    bits = 0;
                }
            }
            let mut ninth = if nine && line_graphics && (0xC0..=0xDF).contains(&ch) {
                bits & 1
            } else {
                0
            };
            if mono && rs == underline && at & 0x77 == 0x01 {
                bits = 0xFF;
                ninth = 1;
            }
            if cursor_row && counter & 0xFFFF == cursor {
                bits = 0xFF;
                ninth = 1;
            }
            *sig = cell_sig(bits << 1 | ninth, at & 0xF, bg);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn graphics_line(
        &self,
        g: &Geometry,
        row_start: u32,
        rs: u32,
        pan: usize,
        line: &mut Vec<u8>,
        dst: &mut [u8],
        pal: &[[u8; 4]; 256],
        amap: &[u8; 16],
    ) {
        let per_clock = if g.shift == Shift::Colour256 { 4 } else { 8 };
        line.clear();
        line.reserve((g.clocks as usize + 1) * per_clock);
        let count_by = if self.crtc[0x17] & 0x08 != 0 {
            1
        } else if self.crtc[0x14] & 0x20 != 0 {
            2
        } else {
            0
        };
        for clock in 0..=g.clocks {
            let counter = row_start.wrapping_add(clock >> count_by);
            let a = self.crtc_address(counter, rs) as usize;
            let i = a << 2;
            let p = [
                self.vram[i],
                self.vram[i + 1],
                self.vram[i + 2],
                self.vram[i + 3],
            ];
            match g.shift {
                Shift::Colour256 => line.extend_from_slice(&p),
                Shift::Planar => {
                    for bit in (0..8).rev() {
                        let v = ((p[0] >> bit) & 1)
                            | ((p[1] >> bit) & 1) << 1
                            | ((p[2] >> bit) & 1) << 2
                            | ((p[3] >> bit) & 1) << 3;
                        line.push(amap[v as usize]);
                    }
                }
                Shift::Interleave => {
                    for k in 0..8 {
                        let (lo, hi) = if k < 4 { (p[0], p[2]) } else { (p[1], p[3]) };
                        let sh = 6 - 2 * (k & 3);
                        let v = ((lo >> sh) & 3) | ((hi >> sh) & 3) << 2;
                        line.push(amap[v as usize]);
                    }
                }
            }
        }
        let src = line.iter().skip(pan);
        for (px, &idx) in dst.chunks_exact_mut(4).zip(src) {
            px.copy_from_slice(&pal[idx as usize]);
        }
    }

    fn draw_vbe(&self, out: &mut Vec<u8>) -> (u32, u32) {
        let d = &self.vbe;
        let (w, h) = (d.xres as u32, d.yres as u32);
        out.clear();
        out.resize((w * h * 4) as usize, 0);
        let bpp = bytes_per_pixel(d.bpp) as usize;
        let line_bytes = d.line_bytes() as usize;
        let start = d.start_offset() as usize;
        let pal = self.palette();
        for (y, dst) in out.chunks_exact_mut(w as usize * 4).enumerate() {
            let from = start + y * line_bytes;
            let Some(src) = self.vram.get(from..from + w as usize * bpp) else {
                fill_opaque(dst);
                continue;
            };
            for (px, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(bpp)) {
                let rgb = match d.bpp {
                    8 => {
                        let c = pal[s[0] as usize];
                        [c[0], c[1], c[2]]
                    }
                    15 => {
                        let v = u16::from_le_bytes([s[0], s[1]]);
                        [five((v >> 10) & 31), five((v >> 5) & 31), five(v & 31)]
                    }
                    16 => {
                        let v = u16::from_le_bytes([s[0], s[1]]);
                        let g6 = ((v >> 5) & 63) as u8;
                        [five(v >> 11), (g6 << 2) | (g6 >> 4), five(v & 31)]
                    }
                    _ => [s[2], s[1], s[0]],
                };
                px.copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
            }
        }
        (w, h)
    }

    /// The text on the screen, one line a row with trailing blanks removed (empty in graphics
    /// modes). Code page 437 is shown as the Unicode characters its glyphs draw.
    pub fn screen_text(&self) -> String {
        if !self.is_text() {
            return String::new();
        }
        let Some(g) = self.geometry() else {
            return String::new();
        };
        let rows = g.height / (g.max_scan + 1);
        let mut s = String::with_capacity((rows * (g.clocks + 1)) as usize);
        let mut row_start = self.start_address();
        for r in 0..rows {
            let mut line = String::with_capacity(g.clocks as usize);
            for col in 0..g.clocks {
                let a = self.crtc_address(row_start.wrapping_add(col), 0);
                line.push(CP437[self.plane_byte(0, a) as usize]);
            }
            s.push_str(line.trim_end());
            if r + 1 < rows {
                s.push('\n');
            }
            row_start = row_start.wrapping_add(self.row_stride());
        }
        s
    }

    /// The mode as a person would name it: "text 80x25", "320x200x256", "vbe 800x600x32".
    pub fn mode_description(&self) -> String {
        if self.vbe.enabled() {
            return format!("vbe {}x{}x{}", self.vbe.xres, self.vbe.yres, self.vbe.bpp);
        }
        let Some(g) = self.geometry() else {
            return "off".into();
        };
        if g.text {
            return format!("text {}x{}", g.clocks, g.height / (g.max_scan + 1));
        }
        let colours = match g.shift {
            Shift::Colour256 => 256,
            Shift::Interleave => 4,
            Shift::Planar => 1u32 << (self.attr[0x12] & 0xF).count_ones(),
        };
        format!("{}x{}x{}", g.width, g.height, colours)
    }
}

/// Draw one pixel row of text from its cells' signatures ([`Vga::text_cells`]).
/// (Out of line: inlined, it moved the native run loop's start in its 64-byte line, which sets
/// its speed: crates/cpu/PERFORMANCE.md, "Where the loop's function starts".)
#[inline(never)]
fn paint_text_row(
    g: &Geometry,
    cells: &[u32],
    dst: &mut [u8],
    pal: &[[u8; 4]; 256],
    amap: &[u8; 16],
) {
    let (cw, dup) = (g.char_w as usize, g.dup as usize);
    for (&sig, cell) in cells.iter().zip(dst.chunks_exact_mut(cw * dup * 4)) {
        let pattern = sig & 0x1FF;
        let fg = pal[amap[(sig >> 16) as usize & 0xF] as usize];
        let bg = pal[amap[(sig >> 24) as usize & 0xF] as usize];
        for (j, px) in cell.chunks_exact_mut(4).enumerate() {
            let i = j / dup;
            let on = if i < 8 {
                (pattern >> (8 - i)) & 1
            } else {
                pattern & 1
            };
            px.copy_from_slice(if on != 0 { &fg } else { &bg });
        }
    }
}

fn five(v: u16) -> u8 {
    let v = (v & 31) as u8;
    (v << 3) | (v >> 2)
}

fn fill_opaque(buf: &mut [u8]) {
    for px in buf.chunks_exact_mut(4) {
        px.copy_from_slice(&[0, 0, 0, 255]);
    }
}

#[cfg(test)]
mod tests {
    use crate::Pc;
    use cpu::{Model, SegReg};

    /// A machine after the built-in BIOS's POST: mode 3, 80x25 text.
    fn after_post() -> Pc {
        let mut pc = Pc::new(Model::PentiumPro, 1 << 20).expect("machine");
        pc.cpu.load_seg_real(SegReg::Cs, 0xF000);
        pc.cpu.eip = 0xE05B;
        pc.run(3_000_000, None);
        pc
    }

    /// A text picture drawn row by row in place must be the picture drawn whole, and the rows
    /// it reports must cover every row that changed: after writes of characters and
    /// attributes, cursor moves, the cursor's and the characters' blink, a glyph of the font,
    /// a colour of the DAC, the start address and CGA addressing, a picture in graphics in between and a switch
    /// to 40 columns, in random order.
    #[test]
    fn text_drawn_in_place_is_the_whole_picture() {
        let mut pc = after_post();
        assert_eq!(pc.video_mode(), "text 80x25");
        let vga = &mut pc.board.vga;
        let mut seed = 0x2545_F491_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        // Every cell a character in colours of its own, so that any change of a cell shows.
        for off in 0..4000 {
            let v = next() as u8;
            vga.mem_write8(0xB8000 + off, if off % 2 == 0 { v | 0x41 } else { v });
        }
        let mut before = vga.render(0).expect("a first picture").rgba.to_vec();
        let mut drawn_rows = 0;
        for step in 1..=400u64 {
            let r = next();
            let v = (r >> 8) as u8;
            match r % 9 {
                0..=2 => vga.mem_write8(0xB8000 + (r >> 16) % 4000, v),
                3 => {
                    vga.crtc[0x0E + (r >> 16) as usize % 2] = v & 0x0F;
                    vga.dirty = true;
                }
                4 => {
                    // A glyph's row in plane 2 (font block 0, 32 bytes a character).
                    vga.vram[(((r >> 16) as usize % 8192) << 2) | 2] = v;
                    vga.dirty = true;
                }
                5 => {
                    vga.dac[(r >> 16) as usize % 48] = v & 0x3F;
                    vga.dirty = true;
                }
                6 => {
                    vga.crtc[0x0D] = (v % 4) * 80;
                    // Now and then the row scan's bit 0 in address bit 13, as for CGA.
                    vga.crtc[0x17] ^= v & 0x80 >> 7;
                    vga.dirty = true;
                }
                7 => {
                    // A picture in graphics between two in text.
                    vga.attr[0x10] |= 1;
                    vga.dirty = true;
                    let _ = vga.render(step * 17_000_000 - 1);
                    vga.attr[0x10] &= !1;
                    vga.dirty = true;
                }
                _ => {
                    // 40 or 80 columns: the dot clock halved, as mode 1 sets it.
                    let forty = v & 1 != 0;
                    vga.seq[1] = (vga.seq[1] & !0x08) | if forty { 0x08 } else { 0 };
                    vga.crtc[1] = if forty { 39 } else { 79 };
                    vga.dirty = true;
                }
            }
            // Emulated time moves on by about a frame, so the blink phases turn now and then.
            let now = step * 17_000_000;
            let (rows, now_drawn) = match vga.render(now) {
                Some(f) => (Some(f.changed_rows), f.rgba.to_vec()),
                None => (None, before.clone()),
            };
            // The same picture drawn whole, by a renderer with no picture before; the one that
            // draws in place keeps its state for the next step.
            let kept = std::mem::take(&mut vga.render);
            vga.dirty = true;
            let whole = vga.render(now).expect("drawn whole").rgba.to_vec();
            vga.render = kept;
            vga.dirty = false;
            assert!(
                now_drawn == whole,
                "step {step}: the picture drawn in place differs"
            );
            if now_drawn.len() == before.len() {
                let row = now_drawn.len() / vga.render.height as usize;
                let (first, end) = rows.unwrap_or((0, 0));
                for (y, (a, b)) in before.chunks(row).zip(now_drawn.chunks(row)).enumerate() {
                    let y = y as u32;
                    assert!(a == b || (first..end).contains(&y), "step {step}: row {y}");
                }
                drawn_rows += end - first;
            }
            before = now_drawn;
        }
        assert!(drawn_rows > 0, "some steps changed rows");
    }

    /// With the CRTC putting the row scan's bit 0 into address bit 13 (as for CGA), the odd
    /// pixel rows of a character row show the cells 2000h further on: the cells fetched for
    /// one pixel row are not kept for the next then.
    #[test]
    fn cga_addressing_fetches_cells_for_each_row_scan() {
        let mut pc = after_post();
        let vga = &mut pc.board.vga;
        let black = vga.render(0).expect("a picture").rgba[..4].to_vec();
        // The first cell: a blank on blue at 0, a blank on red at 2000h.
        for (off, attr) in [(0, 0x10), (0x2000, 0x40)] {
            vga.vram[off << 2] = b' ';
            vga.vram[(off << 2) | 1] = attr;
        }
        vga.crtc[0x17] &= !1;
        vga.dirty = true;
        let f = vga.render(1).expect("a new picture");
        let row = f.width as usize * 4;
        let (even, odd) = (&f.rgba[..4], &f.rgba[row..row + 4]);
        assert_ne!(
            even,
            black.as_slice(),
            "the first cell's background is blue now"
        );
        assert_eq!(
            even,
            &f.rgba[2 * row..2 * row + 4],
            "row scans 0 and 2 alike"
        );
        assert_ne!(even, odd, "row scan 1 shows the cell at 2000h");
    }
}
