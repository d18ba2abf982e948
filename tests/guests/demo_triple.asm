; aula86 crashing guest: a boot sector that triple faults on purpose, for the page's tests
; (tests/e2e/page.test.mjs and crates/web/tests/common/mod.rs hold its bytes). It loads an empty
; interrupt table (IDTR limit 0), then INT 3: vector 3 is past the limit, so is the #GP that
; follows and the double fault after it, and the CPU shuts down.
;
; Build: nasm -f bin tests/guests/demo_triple.asm -o demo_triple.bin

bits 16
cpu 286
org 0x7C00

start:
    xor ax, ax
    mov ds, ax
    mov si, s_crash
.say:
    lodsb
    test al, al
    jz .crash
    mov ah, 0x0E
    mov bx, 0x0007
    int 0x10
    jmp .say
.crash:
    lidt [empty_idt]
    int 3
    jmp $

empty_idt:
    dw 0                        ; limit
    dd 0                        ; base

s_crash: db "aula86 crash test: loading an empty IDT, then INT 3", 0

    times 510 - ($ - $$) db 0
    dw 0xAA55
