; aula86 VGA test guest: runs a real VGA BIOS option ROM (SeaVGABIOS, loaded at C000:0000 by the
; host test) on the emulated VGA, after the built-in BIOS's POST. Loaded at 0000:7C00.
; Each `cli; hlt` is a checkpoint for the host test (crates/pc/tests/vga_option_rom.rs).
; Assemble: nasm -f bin vga_optionrom.asm -o vga_optionrom.bin
bits 16
org 0x7C00

%macro checkpoint 0
    cli
    hlt
%endmacro

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    cld
    call 0xC000:0x0003          ; the option ROM's initialization entry
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    cld

; ---- 1: mode 3 and the teletype, through the option ROM's INT 10h ----
    mov ax, 0x0003
    int 0x10
    mov si, msg
    xor bl, bl
    call puts
    mov dword [0x800], 'VBE2'
    mov ax, 0x4F00
    mov di, 0x800
    int 0x10
    mov [0x600], ax
    checkpoint

; ---- 2: mode 13h, every colour in turn ----
    mov ax, 0x0013
    int 0x10
    mov ax, 0xA000
    mov es, ax
    xor di, di
    mov cx, 64000
    xor ax, ax
.fill:
    stosb
    inc al
    loop .fill
    xor ax, ax
    mov es, ax
    checkpoint

; ---- 3: mode 12h, a yellow pixel and white text ----
    mov ax, 0x0012
    int 0x10
    mov ax, 0x0C0E
    xor bh, bh
    mov cx, 100
    mov dx, 100
    int 0x10
    mov si, msg
    mov bl, 0x0F
    call puts
    checkpoint

.hang:
    cli
    hlt
    jmp .hang

; puts: teletype the zero-terminated string at DS:SI in colour BL.
puts:
    lodsb
    test al, al
    jz .done
    mov ah, 0x0E
    xor bh, bh
    int 0x10
    jmp puts
.done:
    ret

msg: db "Hello from the option ROM", 13, 10, 0
