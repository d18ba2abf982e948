; Loaded at 1000:0000 and entered in real mode: switch to 32-bit protected mode with flat 4 GiB
; segments, copy the top 4 KiB of the address space (the BIOS seen below 4 GiB) to 20000h with
; REP MOVSD, write "ok" to port E9h and halt. COPY_FROM_TOP in crates/web/tests/common/mod.rs:
; the string copy near 4 GiB that once panicked in wasm (a 32-bit usize wrapped in a range check).
bits 16
org 0
    cli
    lgdt [cs:gdtr]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword 0x08:(0x10000 + pm)
bits 32
pm:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov esi, 0xFFFFF000
    mov edi, 0x20000
    mov ecx, 1024
    cld
    rep movsd
    mov al, 'o'
    out 0xE9, al
    mov al, 'k'
    out 0xE9, al
    hlt
align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF
    dq 0x00CF92000000FFFF
gdtr:
    dw 23
    dd 0x10000 + gdt
