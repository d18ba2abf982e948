; The way into random code for crates/pc/tests/cpu_fuzz.rs: from real mode at 0000:7C00, set up
; the tables of protected mode and enter the random bytes at 1000:SI (linear 10000h + SI) in the
; mode BP names:
;   0 real mode      1 16-bit protected, ring 0      2 32-bit protected, ring 0
;   3 32-bit with paging (the first 4 MiB mapped to themselves, the directory's other entries
;     whatever the test put there)      4 ring 3 (32-bit, paging on)      5 virtual-8086 mode
; Every interrupt and exception goes to random code too (gate n at 10000h + n * 100h, ring 0,
; DPL 3 so that INT n reaches it from ring 3), with a TSS for the stack of ring 0. GDT entries
; from 48h on are the test's random bytes: random segment loads meet random descriptors.
;
; Memory: GDT 1000h (entries 0-8 here, random from 48h to 0FFh), IDT 2000h, TSS 3000h, page
; directory 4000h, page table 5000h, random code and data 10000h-8FFFFh.
        org 0x7C00
        bits 16
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        test bp, bp
        jnz protected
        mov ax, 0x1000                  ; (no PUSH imm on the 8086)
        push ax
        push si
        retf

protected:
        ; GDT: null, code32 0, data32 0, code16 0, data16 0, code32 3, data32 3, TSS, null.
        mov di, 0x1000
        mov cx, gdt_end - gdt
        mov si, gdt
        rep movsb
        ; TSS: ring 0's stack at 10:9F000h, and no I/O bitmap (all ports trap in ring 3).
        mov di, 0x3000
        xor ax, ax
        mov cx, 0x68 / 2
        rep stosw
        mov dword [0x3004], 0x9F000
        mov word [0x3008], 0x10
        mov word [0x3066], 0x68
        ; IDT: 256 interrupt gates, DPL 3, selector 08h, offset 10000h + n * 100h.
        mov di, 0x2000
        mov ebx, 0x10000
        mov cx, 256
.gate:  mov [di], bx
        mov word [di + 2], 0x08
        mov word [di + 4], 0xEE00
        mov eax, ebx
        shr eax, 16
        mov [di + 6], ax
        add ebx, 0x100
        add di, 8
        loop .gate
        ; Page table: the first 4 MiB mapped to themselves, user, writable.
        mov di, 0x5000
        mov eax, 0x007
        mov cx, 1024
.pte:   mov [di], eax
        add eax, 0x1000
        add di, 4
        loop .pte
        mov dword [0x4000], 0x5007
        lgdt [gdtr]
        lidt [idtr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp 0x08:pm32

        bits 32
pm32:   mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov esp, 0x9E000
        mov ax, 0x38
        ltr ax
        movzx esi, si
        add esi, 0x10000
        cmp bp, 1
        je pm16
        cmp bp, 3
        jb .go
        mov eax, 0x4000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        cmp bp, 4
        je ring3
        ja v86
.go:    jmp esi

pm16:   mov ax, 0x20
        mov ss, ax
        mov esp, 0x7000
        mov ds, ax
        mov es, ax
        push dword 0x18                 ; a 16-bit code segment based at 10000h
        sub esi, 0x10000
        push esi
        retf

ring3:  push dword 0x33                 ; SS
        push dword 0x8F000              ; ESP
        push dword 0x202                ; EFLAGS
        push dword 0x2B                 ; CS
        push esi                        ; EIP
        iretd

v86:    push dword 0x9000               ; GS
        push dword 0x9000               ; FS
        push dword 0x9000               ; DS
        push dword 0x9000               ; ES
        push dword 0x8000               ; SS
        push dword 0xFFF0               ; ESP
        push dword 0x20202              ; EFLAGS: VM, IF
        push dword 0x1000               ; CS
        sub esi, 0x10000
        push esi                        ; EIP
        iretd

gdtr:   dw 0xFF
        dd 0x1000
idtr:   dw 256 * 8 - 1
        dd 0x2000

gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 08: code32, ring 0
        dq 0x00CF92000000FFFF           ; 10: data32, ring 0
        dq 0x00009A010000FFFF           ; 18: code16 at 10000h, ring 0
        dq 0x000092000000FFFF           ; 20: data16, ring 0
        dq 0x00CFFA000000FFFF           ; 28: code32, ring 3
        dq 0x00CFF2000000FFFF           ; 30: data32, ring 3
        dq 0x0000890030000067           ; 38: TSS at 3000h
        dq 0                            ; 40
gdt_end:
