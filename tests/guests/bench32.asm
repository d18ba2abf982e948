; aula86 integer benchmark, 32-bit protected mode with paging. Loaded at 1000:0000 and entered
; there in real mode; it switches to flat 4 GiB segments, identity-maps the first 4 MiB with one
; page table and turns paging on. The loop is bench16.asm's mix at 32 bits: ALU, loads/stores,
; table lookups, shifts/rotates, IMUL, PUSH/POP, CALL/RET, REP MOVSD.
; It never ends: the harness runs it for a fixed number of instructions and times that.
; scripts/bench-peers assembles it with -DBOOT (a boot sector loaded at 0:7C00) and -DITERS=n
; (stop after n outer iterations, print "D" to port E9h and power off qemu and Bochs).
bits 16
org 0
%ifdef BOOT
%define BASE 0x7C00
%else
%define BASE 0x10000
%endif
start:
    cli
%ifdef BOOT
    jmp (BASE >> 4):.cs
.cs:
%endif
    mov ax, cs
    mov ds, ax
    lgdt [gdtr]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword 0x08:(BASE + pm)
bits 32
pm:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov esp, 0x2FFFC
    ; Page directory at 40000h (one entry), page table at 41000h: the first 4 MiB, identity.
    mov edi, 0x40000
    xor eax, eax
    mov ecx, 1024
    rep stosd
    mov eax, 0x003
    mov ecx, 1024
.pt:
    stosd
    add eax, 0x1000
    loop .pt
    mov dword [0x40000], 0x41003
    mov eax, 0x40000
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
%ifdef ITERS
    mov dword [0x30F00], ITERS
%endif
    xor eax, eax
    mov ebx, 1
    xor ebp, ebp
again:
    mov ecx, 256
inner:
    add eax, ecx
    adc edx, ebx
    xor ebx, eax
    and ebx, 0x1FC
    mov esi, [ebx+0x30000]
    mov [ebx+0x30400], eax
    shl eax, 1
    rcr edx, 1
    imul esi
    push eax
    call sub1
    pop eax
    loop inner
    mov esi, 0x30000
    mov edi, 0x30800
    mov ecx, 64
    cld
    rep movsd
%ifdef ITERS
    dec dword [0x30F00]
    jnz again
    mov dx, 0xE9
    mov al, 'D'
    out dx, al
    mov al, 10
    out dx, al
    mov dx, 0xF4            ; qemu: -device isa-debug-exit,iobase=0xf4
    out dx, al
    mov dx, 0x8900          ; Bochs: "Shutdown" to port 8900h
    mov esi, BASE + shutdown
    mov ecx, 8
    rep outsb
.halt:
    hlt
    jmp .halt
shutdown:
    db "Shutdown"
%else
    jmp again
%endif
sub1:
    inc ebp
    ret
align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF   ; 08h: code, flat, 32-bit
    dq 0x00CF92000000FFFF   ; 10h: data, flat
gdtr:
    dw gdtr - gdt - 1
    dd BASE + gdt
%ifdef BOOT
    times 510 - ($ - $$) db 0
    dw 0xAA55
%endif
