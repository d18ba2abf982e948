; pm286.asm - 80286 protected mode, 286 instructions and 286-format (16-bit) descriptors only,
; so that it runs on the 286 and on later CPUs alike: LMSW into protected mode, segment loads
; and their faults, #UD #DE #BP through 286 interrupt gates with 16-bit frames, IRET to ring 3
; (nulling DS), privileged and IOPL-sensitive instructions at CPL 3, a 286 call gate from ring 3
; with two word parameters onto the 16-bit TSS ring-0 stack and RETF 4 back, an interrupt from
; ring 3, JMP to a 16-bit TSS and back, LAR/LSL/VERR/VERW/ARPL. A 286 cannot leave protected
; mode without a reset, so the guest ends there.
; Expected results from the Intel 80286 Programmer's Reference and the SDM vol. 3.
%include "lib.inc"               ; (constants and the CHECK16 macro; nothing 32-bit is used)
BITS 16

S_CODE   equ 0x08
S_DATA   equ 0x10
S_STACK  equ 0x18               ; base 0x70000
S_TSSA   equ 0x20
S_UCODE  equ 0x28 | 3
S_UDATA  equ 0x30 | 3
S_USTACK equ 0x38 | 3           ; base 0x60000
S_GATE   equ 0x40 | 3           ; 286 call gate, 2 word parameters -> S_CODE:gate_target
S_TSSB   equ 0x48
S_NP     equ 0x50
S_SMALL  equ 0x58               ; data, limit 0FFh
S_RO     equ 0x60
S_XONLY  equ 0x68
S_GATER0 equ 0x70 | 3           ; call gate -> S_CODE:to_ring0
KSP      equ 0xFFF0
KSP0     equ 0xF000             ; TSS SP0 (in S_STACK)
USP      equ 0xFFF0
NOERR16  equ 0xFFFF
ANY16    equ 0xFFFF

; D286 base, limit, access
%macro D286 3
    dw %2
    dw (%1) & 0xFFFF
    db ((%1) >> 16) & 0xFF
    db %3
    dw 0
%endmacro
; G286 selector, offset, word count, access
%macro G286 4
    dw %2
    dw %1
    db %3
    db %4
    dw 0
%endmacro

%macro EXPECT16 4               ; name, vector, error code, IP
    %push expect
    mov word [exp_vec], %2
    mov word [exp_err], %3
    mov word [exp_ip], %4
    mov word [exp_name], %$name
    mov word [exp_resume], %$resume
    mov word [exp_on], 1
    jmp %$go
%$name: db %1, 0
%$go:
%endmacro
%macro ENDEXPECT16 0
    mov ax, S_DATA
    mov ds, ax
    mov word [exp_on], 0
    mov si, s16_fail
    call puts16
    mov si, [exp_name]
    call puts16
    mov si, s_noexc
    call puts16
%$resume:
    %pop
%endmacro

%macro TO_RING3_16 1            ; flags
    push word S_USTACK
    push word USP
    push word %1
    push word S_UCODE
    push word %%r3
    iret
%%r3:
    mov ax, S_UDATA
    mov ds, ax
    mov es, ax
%endmacro

    cli
    mov ax, cs
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0xFFF0
    lgdt [gdtr]
    lidt [idtr]
    mov ax, 1
    lmsw ax
    jmp S_CODE:pm
pm:
    mov ax, S_DATA
    mov ds, ax
    mov es, ax
    mov ax, S_STACK
    mov ss, ax
    mov sp, KSP
    call init_idt
    mov ax, S_TSSA
    ltr ax
    smsw ax
    and ax, 1
    CHECK16 "pm286_lmsw_pe", ax, 1
    mov ax, cs
    CHECK16 "pm286_cs", ax, S_CODE
    str ax
    CHECK16 "pm286_str", ax, S_TSSA
    mov al, [gdt + S_TSSA + 5]
    xor ah, ah
    CHECK16 "pm286_ltr_busy", ax, 0x83

    ; ---- system instructions ----
    mov ax, S_SMALL
    lsl bx, ax
    CHECK16 "lsl", bx, 0xFF
    mov ax, S_CODE
    lar bx, ax
    CHECK16 "lar_code_accessed", bx, 0x9B00
    mov ax, S_RO
    verw ax
    mov ax, 0
    jnz .v1
    mov ax, 1
.v1: CHECK16 "verw_readonly_nz", ax, 0
    mov ax, S_XONLY
    verr ax
    mov ax, 0
    jnz .v2
    mov ax, 1
.v2: CHECK16 "verr_execonly_nz", ax, 0
    mov ax, S_UDATA & ~3
    mov bx, 3
    arpl ax, bx
    CHECK16 "arpl_raises_rpl", ax, S_UDATA

    ; ---- exceptions through 286 gates ----
    EXPECT16 "ud", 6, NOERR16, .ud
.ud: db 0x0F, 0x0B
    ENDEXPECT16
    EXPECT16 "de", 0, NOERR16, .de
    xor dx, dx
    mov ax, 1
    xor cx, cx
.de: div cx
    ENDEXPECT16
    EXPECT16 "bp", 3, NOERR16, .bp
    int3
.bp:
    ENDEXPECT16
    EXPECT16 "gp_null_ss", 13, 0, .g1
    xor ax, ax
.g1: mov ss, ax
    ENDEXPECT16
    EXPECT16 "gp_ds_tss", 13, S_TSSA, .g2
    mov ax, S_TSSA
.g2: mov ds, ax
    ENDEXPECT16
    EXPECT16 "np_ds", 11, S_NP, .g3
    mov ax, S_NP
.g3: mov ds, ax
    ENDEXPECT16
    EXPECT16 "gp_limit", 13, 0, .g4
    mov ax, S_SMALL
    mov es, ax
.g4: mov ax, [es:0xFF]
    ENDEXPECT16
    EXPECT16 "gp_write_readonly", 13, 0, .g5
    mov ax, S_RO
    mov es, ax
.g5: mov [es:0], al
    ENDEXPECT16
    EXPECT16 "ss_limit", 12, 0, .g6
    mov bp, 0xFFFF
.g6: mov ax, [bp]               ; SS:FFFFh: the word crosses the 64 KiB limit
    ENDEXPECT16
    mov ax, S_DATA
    mov es, ax

    ; ---- IRET to ring 3 ----
    mov ax, S_UDATA
    mov es, ax
    push word S_USTACK
    push word USP
    push word 0x0002
    push word S_UCODE
    push word ring3
    iret
ring3:
    mov [es:r3_ds], ds
    mov [es:r3_cs], cs
    mov [es:r3_ss], ss
    mov [es:r3_sp], sp
    ; ---- call gate with two word parameters ----
    push word 0x1111
    push word 0x2222
    mov [es:r3_sp_before], sp
    call S_GATE:0
.back:
    mov [es:r3_ds2], ds
    mov [es:r3_sp_after], sp
    mov [es:r3_cs_after], cs
    ; ---- interrupt from ring 3 ----
    int 0x50
.after_int:
    mov [es:r3_sp_int], sp
    call S_GATER0:0             ; back to ring 0 for the checks
    CHECK16 "iret_ring3_cs", word [r3_cs], S_UCODE
    CHECK16 "iret_ring3_ss", word [r3_ss], S_USTACK
    CHECK16 "iret_ring3_sp", word [r3_sp], USP
    CHECK16 "iret_ring3_nulls_ds", word [r3_ds], 0
    CHECK16 "callgate_ss_from_tss", word [g_ss], S_STACK
    CHECK16 "callgate_sp_from_tss", word [g_sp], KSP0 - 12
    CHECK16 "callgate_ret_ip", word [g_frame], ring3.back
    CHECK16 "callgate_ret_cs", word [g_frame + 2], S_UCODE
    CHECK16 "callgate_param2", word [g_frame + 4], 0x2222
    CHECK16 "callgate_param1", word [g_frame + 6], 0x1111
    mov ax, [r3_sp_before]
    CHECK16 "callgate_old_sp", word [g_frame + 8], ax
    CHECK16 "callgate_old_ss", word [g_frame + 10], S_USTACK
    CHECK16 "retf4_sp_restored", word [r3_sp_after], USP
    CHECK16 "retf_back_cs", word [r3_cs_after], S_UCODE
    CHECK16 "retf_outer_nulls_ds", word [r3_ds2], 0
    CHECK16 "int_ring3_sp0", word [i_sp], KSP0 - 10
    CHECK16 "int_ring3_frame_ip", word [i_frame], ring3.after_int
    CHECK16 "int_ring3_frame_cs", word [i_frame + 2], S_UCODE
    CHECK16 "int_ring3_frame_sp", word [i_frame + 6], USP
    CHECK16 "int_ring3_frame_ss", word [i_frame + 8], S_USTACK
    CHECK16 "int_ring3_iret_back", word [r3_sp_int], USP

    ; ---- privileged and IOPL-sensitive at CPL 3 ----
    TO_RING3_16 0x0002
    EXPECT16 "ring3_cli_iopl0", 13, 0, .p1
.p1: cli
    ENDEXPECT16
    TO_RING3_16 0x3002
    EXPECT16 "ring3_hlt_iopl3", 13, 0, .p2
    cli                         ; allowed at IOPL 3
.p2: hlt
    ENDEXPECT16
    TO_RING3_16 0x3002
    EXPECT16 "ring3_lmsw", 13, 0, .p3
    mov ax, 1
.p3: lmsw ax
    ENDEXPECT16
    TO_RING3_16 0x3002
    EXPECT16 "ring3_lidt", 13, 0, .p4
.p4: lidt [idtr]
    ENDEXPECT16

    ; ---- 386 instructions: #UD on the 286 (model-specific transcripts) ----
    mov word [idt + 6 * 8], ud_probe
    mov word [ud_seen], 0
    db 0x0F, 0x20, 0xC0         ; mov eax, cr0 (3 bytes)
    cmp word [ud_seen], 0
    je .cr0_ran
    mov si, s_cr0_ud
    jmp .cr0_print
.cr0_ran:
    mov si, s_cr0_ran
.cr0_print:
    call puts16
    mov word [idt + 6 * 8], stub_6

    ; ---- JMP to a 16-bit TSS and back ----
    mov ax, 0xAAAA
    jmp S_TSSB:0
after_b:
    CHECK16 "tss16_back_ax", ax, 0xAAAA
    CHECK16 "tss16_b_ax_from_tss", word [b_ax], 0xB001
    CHECK16 "tss16_b_tr", word [b_tr], S_TSSB
    CHECK16 "tss16_b_busy", word [b_busy], 0x83
    CHECK16 "tss16_a_not_busy", word [b_a_busy], 0x81
    CHECK16 "tss16_a_saved_ip", word [tss_a + 14], after_b
    CHECK16 "tss16_a_saved_ax", word [tss_a + 18], 0xAAAA
    mov al, [gdt + S_TSSA + 5]
    xor ah, ah
    CHECK16 "tss16_a_busy_again", ax, 0x83
    mov si, s_done
    call puts16
.h: cli
    hlt
    jmp .h

task_b:
    mov [b_ax], ax
    str ax
    mov [b_tr], ax
    mov al, [gdt + S_TSSB + 5]
    xor ah, ah
    mov [b_busy], ax
    mov al, [gdt + S_TSSA + 5]
    mov [b_a_busy], ax
    jmp S_TSSA:0

gate_target:
    push ds
    push bp
    mov bp, S_DATA
    mov ds, bp
    mov [g_ss], ss
    mov bp, sp
    lea ax, [bp + 4]
    mov [g_sp], ax
    mov ax, [bp + 4]
    mov [g_frame], ax
    mov ax, [bp + 6]
    mov [g_frame + 2], ax
    mov ax, [bp + 8]
    mov [g_frame + 4], ax
    mov ax, [bp + 10]
    mov [g_frame + 6], ax
    mov ax, [bp + 12]
    mov [g_frame + 8], ax
    mov ax, [bp + 14]
    mov [g_frame + 10], ax
    pop bp
    pop ax                      ; (the caller's DS is left behind: DS stays S_DATA)
    retf 4

int50:
    push bp
    push ds
    push ax
    mov ax, S_DATA
    mov ds, ax
    mov bp, sp
    lea ax, [bp + 6]
    mov [i_sp], ax
    mov ax, [bp + 6]
    mov [i_frame], ax
    mov ax, [bp + 8]
    mov [i_frame + 2], ax
    mov ax, [bp + 10]
    mov [i_frame + 4], ax
    mov ax, [bp + 12]
    mov [i_frame + 6], ax
    mov ax, [bp + 14]
    mov [i_frame + 8], ax
    pop ax
    pop ds
    pop bp
    iret

ud_probe:                       ; #UD: note it and skip the 3-byte instruction
    push bp
    mov bp, sp
    add word [bp + 2], 3
    pop bp
    push ds
    push ax
    mov ax, S_DATA
    mov ds, ax
    mov word [ud_seen], 1
    pop ax
    pop ds
    iret

to_ring0:
    pop ax                      ; the return IP
    mov sp, KSP
    mov bx, S_DATA
    mov ds, bx
    mov es, bx
    jmp ax

; ---- exception stubs and the common handler ----
init_idt:
    xor bx, bx
    mov cx, 32
    mov si, stub_table
.l: mov ax, [si]
    mov [idt + bx], ax
    mov word [idt + bx + 2], S_CODE
    mov word [idt + bx + 4], 0x8600     ; 286 interrupt gate, DPL 0
    mov word [idt + bx + 6], 0
    add si, 2
    add bx, 8
    loop .l
    mov word [idt + 3 * 8 + 4], 0xE600 ; INT3 allowed from ring 3
    mov word [idt + 0x50 * 8], int50
    mov word [idt + 0x50 * 8 + 2], S_CODE
    mov word [idt + 0x50 * 8 + 4], 0xE600
    ret

%assign v 0
%rep 32
stub_ %+ v:
  %if v == 8 || (v >= 10 && v <= 14) || v == 17
  %else
    push word NOERR16
  %endif
    push word v
    jmp exc16
%assign v v+1
%endrep
stub_table:
%assign v 0
%rep 32
    dw stub_ %+ v
%assign v v+1
%endrep

exc16:
    mov bp, sp                  ; [bp] vector, [bp+2] error, [bp+4] IP, [bp+6] CS
    mov ax, S_DATA
    mov ds, ax
    mov es, ax
    mov ax, [bp]
    mov [got_vec], ax
    mov ax, [bp + 2]
    mov [got_err], ax
    mov ax, [bp + 4]
    mov [got_ip], ax
    cmp word [exp_on], 1
    jne .unexpected
    mov word [exp_on], 0
    mov ax, [got_vec]
    cmp ax, [exp_vec]
    jne .bad
    mov ax, [got_err]
    cmp ax, [exp_err]
    jne .bad
    mov ax, [got_ip]
    cmp ax, [exp_ip]
    jne .bad
    mov si, s16_ok
    call puts16
    mov si, [exp_name]
    call puts16
    jmp .resume
.bad:
    mov si, s16_fail
    call puts16
    mov si, [exp_name]
    call puts16
    call print_got
.resume:
    mov al, 10
    out 0xE9, al
    mov ax, S_STACK
    mov ss, ax
    mov sp, KSP
    jmp [exp_resume]
.unexpected:
    mov si, s_unexp
    call puts16
    call print_got
    mov al, 10
    out 0xE9, al
.h: cli
    hlt
    jmp .h
print_got:
    mov si, s_v
    call puts16
    mov ax, [got_vec]
    call hex16_16
    mov si, s_e
    call puts16
    mov ax, [got_err]
    call hex16_16
    mov si, s_ip
    call puts16
    mov ax, [got_ip]
    call hex16_16
    ret

%include "lib16.inc"

s_noexc: db " no exception", 10, 0
s_unexp: db "FAIL unexpected exception", 0
s_v: db " v=", 0
s_e: db " e=", 0
s_ip: db " ip=", 0
s_done: db "done", 10, 0
s_cr0_ud: db "info mov_eax_cr0: #UD (no such instruction)", 10, 0
s_cr0_ran: db "info mov_eax_cr0: executed", 10, 0
ud_seen: dw 0

    align 2
exp_on: dw 0
exp_vec: dw 0
exp_err: dw 0
exp_ip: dw 0
exp_name: dw 0
exp_resume: dw 0
got_vec: dw 0
got_err: dw 0
got_ip: dw 0
r3_ds: dw 0
r3_cs: dw 0
r3_ss: dw 0
r3_sp: dw 0
r3_sp_before: dw 0
r3_ds2: dw 0
r3_sp_after: dw 0
r3_cs_after: dw 0
r3_sp_int: dw 0
g_ss: dw 0
g_sp: dw 0
g_frame: times 6 dw 0
i_sp: dw 0
i_frame: times 5 dw 0
b_ax: dw 0
b_tr: dw 0
b_busy: dw 0
b_a_busy: dw 0

gdtr: dw gdt_end - gdt - 1
      dd BASE + A(gdt)
idtr: dw 256 * 8 - 1
      dd BASE + A(idt)

; 16-bit TSSs: link, SP0 SS0 SP1 SS1 SP2 SS2, IP, FLAGS, AX CX DX BX SP BP SI DI, ES CS SS DS, LDT
tss_a: dw 0, KSP0, S_STACK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
tss_b: dw 0, KSP0, S_STACK, 0, 0, 0, 0, task_b, 0x0002, 0xB001, 0, 0, 0, 0xE000, 0, 0, 0
       dw S_DATA, S_CODE, S_STACK, S_DATA, 0

    align 8
gdt:
    dq 0
    D286 BASE, 0xFFFF, 0x9A                 ; S_CODE
    D286 BASE, 0xFFFF, 0x92                 ; S_DATA
    D286 0x70000, 0xFFFF, 0x92              ; S_STACK
    D286 BASE + A(tss_a), 43, 0x81          ; S_TSSA
    D286 BASE, 0xFFFF, 0xFA                 ; S_UCODE
    D286 BASE, 0xFFFF, 0xF2                 ; S_UDATA
    D286 0x60000, 0xFFFF, 0xF2              ; S_USTACK
    G286 S_CODE, gate_target, 2, 0xE4       ; S_GATE
    D286 BASE + A(tss_b), 43, 0x81          ; S_TSSB
    D286 BASE, 0xFFFF, 0x12                 ; S_NP
    D286 BASE, 0xFF, 0x92                   ; S_SMALL
    D286 BASE, 0xFFFF, 0x90                 ; S_RO
    D286 BASE, 0xFFFF, 0x98                 ; S_XONLY
    G286 S_CODE, to_ring0, 0, 0xE4          ; S_GATER0
gdt_end:

    align 8
idt: times 256 dq 0
