//! The 8042 keyboard controller (ports 60h/64h) with a PS/2 keyboard (IRQ1) and a PS/2 mouse
//! (IRQ12). The controller also drives the A20 gate and the CPU reset line.
//!
//! Keys come from the host as set-1 scan codes (`0xE0xx` for extended keys). The keyboard speaks
//! scan code set 2, as a real one does, and the controller translates to set 1 when its command
//! byte asks for it (the default), so guests see the classic XT codes.

use super::{Ctx, Device, Nanos};
use std::collections::VecDeque;

/// Set-1 make code (index) to set-2 make code, for codes 00h-5Dh. Extended keys (E0 prefix) use
/// the same mapping for their second byte. 0 = no key.
const SET1_TO_SET2: [u8; 0x5E] = [
    0x00, 0x76, 0x16, 0x1E, 0x26, 0x25, 0x2E, 0x36, 0x3D, 0x3E, 0x46, 0x45, 0x4E, 0x55, 0x66,
    0x0D, // 00-0F
    0x15, 0x1D, 0x24, 0x2D, 0x2C, 0x35, 0x3C, 0x43, 0x44, 0x4D, 0x54, 0x5B, 0x5A, 0x14, 0x1C,
    0x1B, // 10-1F
    0x23, 0x2B, 0x34, 0x33, 0x3B, 0x42, 0x4B, 0x4C, 0x52, 0x0E, 0x12, 0x5D, 0x1A, 0x22, 0x21,
    0x2A, // 20-2F
    0x32, 0x31, 0x3A, 0x41, 0x49, 0x4A, 0x59, 0x7C, 0x11, 0x29, 0x58, 0x05, 0x06, 0x04, 0x0C,
    0x03, // 30-3F
    0x0B, 0x83, 0x0A, 0x01, 0x09, 0x77, 0x7E, 0x6C, 0x75, 0x7D, 0x7B, 0x6B, 0x73, 0x74, 0x79,
    0x69, // 40-4F
    0x72, 0x7A, 0x70, 0x71, 0x84, 0x00, 0x61, 0x78, 0x07, 0x00, 0x00, 0x1F, 0x27,
    0x2F, // 50-5D
];

/// Set-2 code to set-1 code (the 8042's translation), derived from the table above.
fn translate_set2(code: u8) -> u8 {
    if code == 0x83 {
        return 0x41;
    }
    if code == 0x84 {
        return 0x54;
    }
    SET1_TO_SET2
        .iter()
        .position(|&c| c == code && c != 0)
        .map_or(code, |i| i as u8)
}

/// Bytes a key produces in scan code set 2.
fn set2_bytes(code: u16, down: bool, out: &mut Vec<u8>) {
    // Pause has no break code and its own sequence.
    if code == 0xE11D || code == 0xE045 {
        if down {
            out.extend_from_slice(&[0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77]);
        }
        return;
    }
    let ext = code >> 8 == 0xE0;
    let Some(&c2) = SET1_TO_SET2.get((code & 0x7F) as usize) else {
        return;
    };
    if c2 == 0 {
        return;
    }
    if ext {
        out.push(0xE0);
    }
    if !down {
        out.push(0xF0);
    }
    out.push(c2);
}

/// Bytes a key produces in scan code set 1.
fn set1_bytes(code: u16, down: bool, out: &mut Vec<u8>) {
    if code == 0xE11D || code == 0xE045 {
        if down {
            out.extend_from_slice(&[0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5]);
        }
        return;
    }
    if code >> 8 == 0xE0 {
        out.push(0xE0);
    }
    out.push((code as u8 & 0x7F) | if down { 0 } else { 0x80 });
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    /// The controller expects a data byte for this command.
    Controller(u8),
    /// The next data byte goes to the mouse.
    ToMouse,
}

#[derive(Debug, Clone)]
pub struct Kbc {
    /// Bytes waiting for the output buffer: (byte, from the mouse).
    queue: VecDeque<(u8, bool)>,
    /// Bytes of the controller itself, ahead of device data: its answers, and what commands
    /// D2h/D3h put in the output buffer as if from the keyboard or the mouse (true).
    ctrl_replies: VecDeque<(u8, bool)>,
    /// The output buffer (what port 60h returns).
    out: u8,
    out_full: bool,
    out_aux: bool,
    command_byte: u8,
    output_port: u8,
    last_was_command: bool,
    pending: Pending,
    /// The keyboard / the mouse expects an argument for this command.
    kbd_arg: Option<u8>,
    mouse_arg: Option<u8>,
    /// Earliest time the next queued byte may enter the output buffer.
    next_load: Option<Nanos>,
    // Keyboard state.
    kbd_enabled: bool,
    scan_set: u8,
    pub leds: u8,
    // Mouse state.
    mouse_streaming: bool,
    mouse_rate: u8,
    mouse_resolution: u8,
    mouse_scaling21: bool,
    mouse_id: u8,
    mouse_buttons: u8,
    /// Last three sample rates written, to detect the IntelliMouse knock.
    rate_history: [u8; 3],
    mouse_wrap: bool,
    /// Bytes the host has typed, per source, counted for the teaching view.
    pub keys_received: u64,
}

impl Default for Kbc {
    fn default() -> Self {
        Kbc::new()
    }
}

/// Gap between bytes entering the output buffer (about the serial link's speed).
const BYTE_GAP: Nanos = 20_000;

impl Kbc {
    pub fn new() -> Kbc {
        Kbc {
            queue: VecDeque::new(),
            ctrl_replies: VecDeque::new(),
            out: 0,
            out_full: false,
            out_aux: false,
            command_byte: 0x45,
            output_port: 0xCF,
            last_was_command: false,
            pending: Pending::None,
            kbd_arg: None,
            mouse_arg: None,
            next_load: None,
            kbd_enabled: true,
            scan_set: 2,
            leds: 0,
            mouse_streaming: false,
            mouse_rate: 100,
            mouse_resolution: 2,
            mouse_scaling21: false,
            mouse_id: 0,
            mouse_buttons: 0,
            rate_history: [0; 3],
            mouse_wrap: false,
            keys_received: 0,
        }
    }

    fn push(&mut self, b: u8, aux: bool, now: Nanos) {
        if self.queue.len() < 256 {
            self.queue.push_back((b, aux));
        }
        if self.next_load.is_none() {
            self.next_load = Some(now);
        }
    }

    /// Move the next byte into the output buffer if it is empty and the byte's port is enabled.
    fn try_load(&mut self, ctx: &mut Ctx) {
        if self.out_full {
            return;
        }
        // The controller's own bytes (self test, command byte, ports, D2h/D3h) come first and
        // are not held back when the keyboard or mouse port is disabled: disabling a port stops
        // its device's clock, not the controller.
        if let Some((b, aux)) = self.ctrl_replies.pop_front() {
            self.load(b, aux, ctx);
            return;
        }
        let Some(pos) = self.queue.iter().position(|&(_, aux)| {
            if aux {
                self.command_byte & 0x20 == 0
            } else {
                self.command_byte & 0x10 == 0
            }
        }) else {
            self.next_load = None;
            return;
        };
        let Some((b, aux)) = self.queue.remove(pos) else {
            return;
        };
        self.load(b, aux, ctx);
    }

    /// Put `b` in the output buffer, from the mouse's side when `aux`, and raise its interrupt
    /// if the command byte enables it.
    fn load(&mut self, b: u8, aux: bool, ctx: &mut Ctx) {
        self.out = b;
        self.out_full = true;
        self.out_aux = aux;
        if aux {
            if self.command_byte & 0x02 != 0 {
                ctx.irq.raise(12);
            }
        } else if self.command_byte & 0x01 != 0 {
            ctx.irq.raise(1);
        }
        self.next_load = None;
    }

    /// A byte from the controller itself (command results): goes ahead of device data.
    fn reply(&mut self, b: u8, now: Nanos) {
        self.reply_as(b, false, now);
    }

    /// A byte the controller puts in its output buffer as if the keyboard (or, when `aux`, the
    /// mouse) had sent it: commands D2h and D3h, which answer even with that port disabled
    /// (Linux's i8042 driver tests for the mouse port's multiplexer that way, with the port
    /// off, and waits 0.5 s for each answer that does not come).
    fn reply_as(&mut self, b: u8, aux: bool, now: Nanos) {
        self.ctrl_replies.push_back((b, aux));
        if self.next_load.is_none() {
            self.next_load = Some(now);
        }
    }

    /// A byte from the keyboard, translated to set 1 if the controller is asked to.
    fn kbd_send(&mut self, b: u8, now: Nanos) {
        self.push(b, false, now);
    }

    fn kbd_send_scan(&mut self, bytes: &[u8], now: Nanos) {
        if self.command_byte & 0x40 != 0 && self.scan_set == 2 {
            // Translation: F0 marks the next code as a break code.
            let mut brk = false;
            for &b in bytes {
                match b {
                    0xF0 => brk = true,
                    0xE0 | 0xE1 => self.kbd_send(b, now),
                    _ => {
                        let t = translate_set2(b) | if brk { 0x80 } else { 0 };
                        brk = false;
                        self.kbd_send(t, now);
                    }
                }
            }
        } else {
            for &b in bytes {
                self.kbd_send(b, now);
            }
        }
    }

    /// The host pressed or released a key (set-1 code, `0xE0xx` for extended keys).
    pub fn key_event(&mut self, code: u16, down: bool, now: Nanos) {
        if !self.kbd_enabled {
            return;
        }
        self.keys_received += 1;
        let mut bytes = Vec::with_capacity(8);
        if self.scan_set == 1 {
            set1_bytes(code, down, &mut bytes);
        } else {
            set2_bytes(code, down, &mut bytes);
        }
        self.kbd_send_scan(&bytes, now);
    }

    /// The host moved the mouse (dx right, dy up) or changed its buttons (bit 0 left, 1 right,
    /// 2 middle); `wheel` is sent to IntelliMouse-mode guests.
    pub fn mouse_event(&mut self, dx: i32, dy: i32, buttons: u8, wheel: i32, now: Nanos) {
        self.mouse_buttons = buttons & 7;
        if !self.mouse_streaming || self.queue.len() > 200 {
            return;
        }
        let packet = self.mouse_packet(dx, dy, wheel);
        for b in packet {
            self.push(b, true, now);
        }
    }

    fn mouse_packet(&self, dx: i32, dy: i32, wheel: i32) -> Vec<u8> {
        let cx = dx.clamp(-256, 255);
        let cy = dy.clamp(-256, 255);
        let mut b0 = 0x08 | self.mouse_buttons;
        if cx < 0 {
            b0 |= 0x10;
        }
        if cy < 0 {
            b0 |= 0x20;
        }
        if dx != cx {
            b0 |= 0x40;
        }
        if dy != cy {
            b0 |= 0x80;
        }
        let mut p = vec![b0, cx as u8, cy as u8];
        if self.mouse_id == 3 {
            p.push(wheel.clamp(-8, 7) as u8);
        }
        p
    }

    fn keyboard_command(&mut self, v: u8, now: Nanos) {
        if let Some(cmd) = self.kbd_arg.take() {
            match cmd {
                0xED => self.leds = v & 7,
                0xF0 => {
                    if v == 0 {
                        self.kbd_send(0xFA, now);
                        let set = self.scan_set;
                        // The answer itself is translated like a scan code.
                        self.kbd_send_scan(&[set], now);
                        return;
                    }
                    if (1..=3).contains(&v) {
                        self.scan_set = v;
                    }
                }
                _ => {}
            }
            self.kbd_send(0xFA, now);
            return;
        }
        match v {
            0xED | 0xF0 | 0xF3 => {
                self.kbd_arg = Some(v);
                self.kbd_send(0xFA, now);
            }
            0xEE => self.kbd_send(0xEE, now),
            0xF2 => {
                self.kbd_send(0xFA, now);
                self.kbd_send_scan(&[0xAB, 0x83], now);
            }
            0xF4 => {
                self.kbd_enabled = true;
                self.kbd_send(0xFA, now);
            }
            0xF5 => {
                self.kbd_enabled = false;
                self.kbd_send(0xFA, now);
            }
            0xF6 => {
                self.scan_set = 2;
                self.kbd_send(0xFA, now);
            }
            0xF7..=0xFD => self.kbd_send(0xFA, now),
            0xFF => {
                self.queue.retain(|&(_, aux)| aux);
                self.kbd_enabled = true;
                self.scan_set = 2;
                self.leds = 0;
                self.kbd_send(0xFA, now);
                self.kbd_send(0xAA, now);
            }
            _ => self.kbd_send(0xFE, now),
        }
    }

    fn mouse_send(&mut self, b: u8, now: Nanos) {
        self.push(b, true, now);
    }

    fn mouse_command(&mut self, v: u8, now: Nanos) {
        if self.mouse_wrap && v != 0xEC && v != 0xFF {
            self.mouse_send(v, now);
            return;
        }
        if let Some(cmd) = self.mouse_arg.take() {
            match cmd {
                0xF3 => {
                    self.mouse_rate = v;
                    self.rate_history = [self.rate_history[1], self.rate_history[2], v];
                    if self.rate_history == [200, 100, 80] {
                        self.mouse_id = 3;
                    }
                }
                0xE8 => self.mouse_resolution = v & 3,
                _ => {}
            }
            self.mouse_send(0xFA, now);
            return;
        }
        match v {
            0xF3 | 0xE8 => {
                self.mouse_arg = Some(v);
                self.mouse_send(0xFA, now);
            }
            0xFF => {
                self.queue.retain(|&(_, aux)| !aux);
                self.reset_mouse();
                self.mouse_send(0xFA, now);
                self.mouse_send(0xAA, now);
                self.mouse_send(0x00, now);
            }
            0xF6 => {
                self.reset_mouse();
                self.mouse_send(0xFA, now);
            }
            0xF5 => {
                self.mouse_streaming = false;
                self.mouse_send(0xFA, now);
            }
            0xF4 => {
                self.mouse_streaming = true;
                self.mouse_send(0xFA, now);
            }
            0xF2 => {
                self.mouse_send(0xFA, now);
                self.mouse_send(self.mouse_id, now);
            }
            0xE9 => {
                self.mouse_send(0xFA, now);
                let st = (self.mouse_streaming as u8) << 5
                    | (self.mouse_scaling21 as u8) << 4
                    | self.mouse_buttons;
                self.mouse_send(st, now);
                self.mouse_send(self.mouse_resolution, now);
                self.mouse_send(self.mouse_rate, now);
            }
            0xEB => {
                self.mouse_send(0xFA, now);
                for b in self.mouse_packet(0, 0, 0) {
                    self.mouse_send(b, now);
                }
            }
            0xE6 | 0xE7 => {
                self.mouse_scaling21 = v == 0xE7;
                self.mouse_send(0xFA, now);
            }
            0xEE => {
                self.mouse_wrap = true;
                self.mouse_send(0xFA, now);
            }
            0xEC => {
                self.mouse_wrap = false;
                self.mouse_send(0xFA, now);
            }
            0xEA | 0xF0 => self.mouse_send(0xFA, now),
            0xFE => self.mouse_send(0xFA, now),
            _ => self.mouse_send(0xFC, now),
        }
    }

    fn reset_mouse(&mut self) {
        self.mouse_streaming = false;
        self.mouse_rate = 100;
        self.mouse_resolution = 2;
        self.mouse_scaling21 = false;
        self.mouse_id = 0;
        self.mouse_wrap = false;
        self.rate_history = [0; 3];
    }

    fn write_output_port(&mut self, v: u8, ctx: &mut Ctx) {
        self.output_port = v;
        ctx.sys.a20_kbc = v & 0x02 != 0;
        if v & 0x01 == 0 {
            ctx.sys.reset = true;
            ctx.sys.stop_cpu = true;
        }
    }

    fn controller_command(&mut self, v: u8, ctx: &mut Ctx) {
        let now = ctx.now;
        match v {
            0x20 => self.reply(self.command_byte, now),
            0x21..=0x3F => self.reply(0, now),
            0x60..=0x7F | 0xD1 | 0xD2 | 0xD3 => self.pending = Pending::Controller(v),
            0xD4 => self.pending = Pending::ToMouse,
            0xA7 => self.command_byte |= 0x20,
            0xA8 => self.command_byte &= !0x20,
            0xA9 | 0xAB => self.reply(0x00, now),
            0xAA => {
                self.command_byte |= 0x04;
                self.reply(0x55, now);
            }
            0xAD => self.command_byte |= 0x10,
            0xAE => self.command_byte &= !0x10,
            0xC0 => self.reply(0xBF, now),
            0xD0 => self.reply(self.output_port, now),
            0xDD => ctx.sys.a20_kbc = false,
            0xDF => ctx.sys.a20_kbc = true,
            // Pulse output port bits low: bit 0 is the CPU reset.
            0xF0..=0xFF if v & 1 == 0 => {
                ctx.sys.reset = true;
                ctx.sys.stop_cpu = true;
            }
            _ => {}
        }
        self.try_load(ctx);
    }

    fn data_write(&mut self, v: u8, ctx: &mut Ctx) {
        let now = ctx.now;
        match self.pending {
            Pending::Controller(cmd) => {
                self.pending = Pending::None;
                match cmd {
                    0x60 => self.command_byte = v,
                    0xD1 => self.write_output_port(v, ctx),
                    0xD2 => self.reply_as(v, false, now),
                    0xD3 => self.reply_as(v, true, now),
                    _ => {}
                }
            }
            Pending::ToMouse => {
                self.pending = Pending::None;
                self.command_byte &= !0x20;
                self.mouse_command(v, now);
            }
            _ => {
                self.command_byte &= !0x10;
                self.keyboard_command(v, now);
            }
        }
        self.try_load(ctx);
    }
}

impl Device for Kbc {
    fn name(&self) -> &'static str {
        "keyboard"
    }

    fn io_read(&mut self, port: u16, _size: u8, ctx: &mut Ctx) -> u32 {
        match port {
            0x60 => {
                let v = self.out;
                if self.out_full {
                    self.out_full = false;
                    ctx.irq.lower(if self.out_aux { 12 } else { 1 });
                    if !self.queue.is_empty() || !self.ctrl_replies.is_empty() {
                        self.next_load = Some(ctx.now + BYTE_GAP);
                        ctx.sys.stop_cpu = true;
                    }
                }
                v as u32
            }
            0x64 => {
                let st = self.out_full as u8
                    | (self.command_byte & 0x04)
                    | (self.last_was_command as u8) << 3
                    | 0x10
                    | ((self.out_full && self.out_aux) as u8) << 5;
                st as u32
            }
            _ => 0xFF,
        }
    }

    fn io_write(&mut self, port: u16, _size: u8, value: u32, ctx: &mut Ctx) {
        let v = value as u8;
        match port {
            0x60 => {
                self.last_was_command = false;
                self.data_write(v, ctx);
            }
            0x64 => {
                self.last_was_command = true;
                self.controller_command(v, ctx);
            }
            _ => {}
        }
    }

    fn reset(&mut self) {
        let keys = self.keys_received;
        *self = Kbc::new();
        self.keys_received = keys;
    }

    fn deadline(&self) -> Option<Nanos> {
        if self.out_full {
            None
        } else {
            self.next_load
        }
    }

    fn run(&mut self, ctx: &mut Ctx) {
        if let Some(t) = self.next_load {
            if ctx.now >= t {
                self.try_load(ctx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::{IrqLines, SysLines};
    use crate::memory::Memory;

    struct Rig {
        kbc: Kbc,
        irq: IrqLines,
        mem: Memory,
        sys: SysLines,
        now: Nanos,
    }

    impl Rig {
        fn new() -> Rig {
            Rig {
                kbc: Kbc::new(),
                irq: IrqLines::default(),
                mem: Memory::new(0x1000),
                sys: SysLines::default(),
                now: 0,
            }
        }
        fn ctx(&mut self) -> Ctx<'_> {
            Ctx {
                now: self.now,
                irq: &mut self.irq,
                mem: &mut self.mem,
                sys: &mut self.sys,
            }
        }
        fn write(&mut self, port: u16, v: u8) {
            let mut kbc = std::mem::take(&mut self.kbc);
            kbc.io_write(port, 1, v as u32, &mut self.ctx());
            self.kbc = kbc;
        }
        /// Read everything the controller has to say.
        fn drain(&mut self) -> Vec<u8> {
            let mut out = Vec::new();
            for _ in 0..64 {
                self.now += BYTE_GAP;
                let mut kbc = std::mem::take(&mut self.kbc);
                kbc.run(&mut self.ctx());
                if kbc.io_read(0x64, 1, &mut self.ctx()) & 1 != 0 {
                    out.push(kbc.io_read(0x60, 1, &mut self.ctx()) as u8);
                }
                self.kbc = kbc;
            }
            out
        }
    }

    #[test]
    fn self_test_answers_with_the_keyboard_disabled() {
        let mut r = Rig::new();
        r.write(0x64, 0xAD);
        r.write(0x64, 0xA7);
        r.write(0x64, 0xAA);
        assert_eq!(r.drain(), vec![0x55]);
        r.write(0x64, 0x20);
        assert_eq!(
            r.drain().len(),
            1,
            "command byte readable while the ports are off"
        );
    }

    /// Linux's multiplexer test (`i8042_set_mux_mode`): loopback bytes through D3h with the
    /// mouse port and both interrupts off come back at once, marked as the mouse's. Before,
    /// they waited for the port to open and Linux spent 0.5 s of its boot on each.
    #[test]
    fn mouse_loopback_answers_with_the_mouse_port_disabled() {
        let mut r = Rig::new();
        r.write(0x64, 0x60);
        r.write(0x60, 0x74); // both ports off, no interrupts, translation
        for v in [0xF0, 0x56, 0xA4] {
            r.write(0x64, 0xD3);
            r.write(0x60, v);
            r.now += BYTE_GAP;
            let mut kbc = std::mem::take(&mut r.kbc);
            kbc.run(&mut r.ctx());
            let status = kbc.io_read(0x64, 1, &mut r.ctx());
            assert_eq!(
                status & 0x21,
                0x21,
                "output full, from the mouse: {status:#x}"
            );
            assert_eq!(kbc.io_read(0x60, 1, &mut r.ctx()), v as u32);
            r.kbc = kbc;
        }
        assert_eq!(
            r.irq.edges & (1 << 12 | 1 << 1),
            0,
            "no interrupt while they are off"
        );
        // D2h: the same from the keyboard's side.
        r.write(0x64, 0xD2);
        r.write(0x60, 0x42);
        assert_eq!(r.drain(), vec![0x42]);
    }

    #[test]
    fn extended_keys_translate_to_set1() {
        let mut r = Rig::new();
        r.kbc.key_event(0x1E, true, 0);
        r.kbc.key_event(0x1E, false, 0);
        r.kbc.key_event(0xE048, true, 0); // Up arrow
        r.kbc.key_event(0xE048, false, 0);
        r.kbc.key_event(0xE01D, true, 0); // Right Ctrl
        assert_eq!(
            r.drain(),
            vec![0x1E, 0x9E, 0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0x1D]
        );
    }

    #[test]
    fn untranslated_set2_break_codes() {
        let mut r = Rig::new();
        r.write(0x64, 0x60);
        r.write(0x60, 0x05); // IRQ1, system flag, no translation
        r.kbc.key_event(0xE048, false, 0);
        assert_eq!(r.drain(), vec![0xE0, 0xF0, 0x75]);
    }

    #[test]
    fn self_test_a20_and_reset() {
        let mut r = Rig::new();
        r.write(0x64, 0xAA);
        assert_eq!(r.drain(), vec![0x55]);
        r.write(0x64, 0xD1);
        r.write(0x60, 0xDF);
        assert!(r.sys.a20_kbc);
        r.write(0x64, 0xFE);
        assert!(r.sys.reset);
    }

    #[test]
    fn mouse_reset_id_and_packet() {
        let mut r = Rig::new();
        r.write(0x64, 0xA8);
        for v in [0xFF, 0xF3, 200, 0xF3, 100, 0xF3, 80, 0xF2, 0xF4] {
            r.write(0x64, 0xD4);
            r.write(0x60, v);
        }
        let replies = r.drain();
        assert_eq!(
            replies,
            vec![0xFA, 0xAA, 0x00, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0x03, 0xFA]
        );
        r.kbc.mouse_event(5, -3, 1, 0, r.now);
        assert_eq!(r.drain(), vec![0x29, 5, 0xFD, 0]);
    }

    #[test]
    fn keyboard_identify_and_echo() {
        let mut r = Rig::new();
        r.write(0x60, 0xF2);
        assert_eq!(r.drain(), vec![0xFA, 0xAB, 0x41]);
        r.write(0x60, 0xEE);
        assert_eq!(r.drain(), vec![0xEE]);
    }
}
