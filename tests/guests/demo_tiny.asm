; aula86 tiny guest: the smallest bootable disk the page tests use (tests/e2e/page.test.mjs and
; crates/web/tests/common/mod.rs hold its bytes; scripts/test checks them against this source).
; It says which drive it booted from, copies its own boot sector to sector 1 of that drive
; (INT 13h AH=03h: the disk image changes), then echoes every key to the screen and to COM1.
; Works from a floppy (DL = 00h) and from a hard disk (DL = 80h).
;
; Build: nasm -f bin tests/guests/demo_tiny.asm -o demo_tiny.bin

bits 16
cpu 8086
org 0x7C00

DRIVE equ 0x0500                ; where the boot drive is kept (not in this sector: it is copied)

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    mov [DRIVE], dl
    mov si, s_hello
    call puts
    mov al, [DRIVE]
    call hex8
    mov si, s_h
    call puts
    mov ax, 0x0301              ; write one sector: this one, to cylinder 0, head 0, sector 2
    mov bx, 0x7C00
    mov cx, 0x0002
    xor dh, dh
    mov dl, [DRIVE]
    int 0x13
    mov si, s_wrote
    jnc .said
    mov si, s_failed
.said:
    call puts
.echo:
    xor ah, ah                  ; wait for a key, then show it
    int 0x16
    call putc
    cmp al, 13
    jne .echo
    mov al, 10
    call putc
    jmp .echo

puts:
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

; AL to the screen (INT 10h AH=0Eh) and to COM1 (port 3F8h).
putc:
    push ax
    push bx
    push dx
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    pop dx
    pop bx
    pop ax
    push dx
    mov dx, 0x3F8
    out dx, al
    pop dx
    ret

hex8:
    push ax
    mov cl, 4
    shr al, cl
    call .digit
    pop ax
    and al, 15
.digit:
    add al, '0'
    cmp al, '9'
    jbe .put
    add al, 7
.put:
    jmp putc

s_hello:  db "aula86 tiny guest, booted from drive ", 0
s_h:      db "h", 13, 10, 0
s_wrote:  db "copied the boot sector to sector 1", 13, 10, 0
s_failed: db "could not write sector 1", 13, 10, 0

    times 510 - ($ - $$) db 0
    dw 0xAA55
