; pmode.asm - real mode to 32-bit protected mode and back; segment loads and their faults;
; exceptions through the IDT (#DE #UD #GP #NP #SS #BP #OF, INT to an empty gate); #DB by TF
; single-step and by a DR0 instruction breakpoint; expand-down segments; same-level call gates
; (16- and 32-bit); LTR/LLDT checks; the cached 4 GiB limit kept in real mode ("unreal").
; Expected results from the Intel SDM, vol. 3, chapters 3, 5, 6 and 17.
%include "lib.inc"

SEL_SMALL  equ SEL_EXTRA + 0x00 ; data, limit 0xFFF (byte granular)
SEL_NP     equ SEL_EXTRA + 0x08 ; data, not present
SEL_XONLY  equ SEL_EXTRA + 0x10 ; execute-only code
SEL_SSMALL equ SEL_EXTRA + 0x18 ; 32-bit stack, limit 0xFFF, base BASE+0x60000
SEL_NPSTK  equ SEL_EXTRA + 0x20 ; writable data, not present
SEL_RO     equ SEL_EXTRA + 0x28 ; read-only data
SEL_DPL3D  equ SEL_EXTRA + 0x30 ; data DPL 3 (RPL 0 selector)
SEL_EXPDN  equ SEL_EXTRA + 0x38 ; expand-down data, limit 0xFFF, 16-bit (valid: 1000h-FFFFh)
SEL_NPCODE equ SEL_EXTRA + 0x40 ; code, not present
SEL_GATE16 equ SEL_EXTRA + 0x48 ; 16-bit call gate -> SEL_CODE16:gate16_target
SEL_GATE32 equ SEL_EXTRA + 0x50 ; 32-bit call gate DPL 0 -> SEL_CODE32:gate32_target
SEL_LDT    equ SEL_EXTRA + 0x58 ; an LDT with two entries
LSEL_DATA  equ 0x0C             ; its entry 1: data, base BASE + 0x100

    START
    mov eax, cr0
    and eax, 1
    CHECK "pm_cr0_pe", eax, dword 1
    xor eax, eax
    mov ax, cs
    CHECK "pm_cs_selector", eax, dword SEL_CODE32
    ; A 32-bit operation in 32-bit code without prefixes.
    mov eax, 0x12345678
    add eax, 0x11111111
    CHECK "pm_32bit_add", eax, dword 0x23456789

    ; Data segment based at BASE, seen again through the flat segment.
    mov dword [scratch], 0xCAFEBABE
    push ds
    mov ax, SEL_FLAT
    mov ds, ax
    mov eax, [BASE + scratch]
    pop ds
    CHECK "pm_data_via_flat", eax, dword 0xCAFEBABE
    ; A 32-bit stack above 64 KiB.
    push dword 0x5A5A1234
    mov ecx, esp
    mov ebx, [KSTACK - 4]
    pop eax
    CHECK "pm_stack_esp", ecx, dword KSTACK - 4
    CHECK "pm_stack_mem", ebx, dword 0x5A5A1234
    ; Segment loads update the accessed bit in the descriptor.
    and byte [gdt + SEL_RO + 5], 0xFE
    mov ax, SEL_RO
    mov es, ax
    movzx eax, byte [gdt + SEL_RO + 5]
    CHECK "pm_accessed_bit", eax, dword ACC_RODATA | 1
    mov ax, SEL_DATA
    mov es, ax
    ; LSL / LAR / VERR / VERW.
    mov ax, SEL_SMALL
    lsl ebx, ax
    CHECKF "lsl_zf", 0x40, 0x40
    CHECK "lsl_limit", ebx, dword 0xFFF
    mov eax, SEL_CODE32
    lar ebx, eax
    and ebx, 0x00F0FF00
    CHECK "lar_code32", ebx, dword 0x00C09B00  ; accessed: CS was loaded
    mov ax, SEL_RO
    verw ax
    CHECKF "verw_readonly", 0x40, 0
    verr ax
    CHECKF "verr_readonly", 0x40, 0x40
    mov ax, SEL_XONLY
    verr ax
    CHECKF "verr_execonly", 0x40, 0

    ; ---- expand-down data ----
    mov ax, SEL_EXPDN
    mov es, ax
    mov dword [es:0x1000], 0x12345678     ; the lowest valid dword
    mov word [es:0xFFFE], 0x4321          ; the highest valid word
    OK "expand_down_valid_range"
    EXPECT "expand_down_below_limit", 13, 0, SEL_CODE32, .ed1
.ed1: mov eax, [es:0xFFE]                ; the limit itself is outside
    ENDEXPECT
    EXPECT "expand_down_above_64k", 13, 0, SEL_CODE32, .ed2
    mov ax, SEL_EXPDN
    mov es, ax
.ed2: mov ax, [es:0xFFFF]                ; B=0: the segment ends at FFFFh
    ENDEXPECT
    mov ax, SEL_DATA
    mov es, ax

    ; ---- call gates at the same privilege ----
    mov dword [gate_mode], 0
    mov [esp_before], esp
    call SEL_GATE32:0
    mov eax, [esp_before]
    sub eax, 8
    CHECK "callgate32_same_level_pushes_8", dword [gate_esp], eax
    CHECK "callgate32_same_level_ret_cs", dword [gate_frame + 4], dword SEL_CODE32
    call SEL_GATE16:0
    mov eax, [esp_before]
    sub eax, 4
    CHECK "callgate16_pushes_16bit_frame", dword [gate_esp], eax
    movzx eax, word [gate_frame + 2]
    CHECK "callgate16_pushed_cs", eax, dword SEL_CODE32
    mov dword [gate_count], 0
    mov dword [gate_mode], 1
    jmp SEL_GATE32:0                    ; JMP through a gate: no return address
main_jmp_back:
    CHECK "jmp_callgate", dword [gate_count], dword 1

    ; ---- LLDT, a segment from the LDT, SLDT ----
    mov ax, SEL_LDT
    lldt ax
    sldt bx
    movzx ebx, bx
    CHECK "sldt", ebx, dword SEL_LDT
    mov dword [0x100 + 8], 0x1DA7A
    mov ax, LSEL_DATA
    mov es, ax
    mov eax, [es:8]
    CHECK "ldt_data_segment", eax, dword 0x1DA7A
    mov ax, LSEL_DATA + 8       ; beyond the LDT's limit
    lsl ebx, ax
    CHECKF "lsl_beyond_ldt_limit_zf", 0x40, 0
    mov ax, SEL_DATA
    mov es, ax
    xor eax, eax
    lldt ax

    ; ---- LTR / LLDT / far JMP checks ----
    EXPECT "ltr_busy_tss", 13, SEL_TSS, SEL_CODE32, .lt1
    mov ax, SEL_TSS
.lt1: ltr ax
    ENDEXPECT
    EXPECT "lldt_not_ldt", 13, SEL_DATA, SEL_CODE32, .lt2
    mov ax, SEL_DATA
.lt2: lldt ax
    ENDEXPECT
    EXPECT "jmp_code_not_present", 11, SEL_NPCODE, SEL_CODE32, .lt3
.lt3: jmp SEL_NPCODE:0
    ENDEXPECT

    ; ---- exceptions ----
    EXPECT "de_div0", 0, NOERR, SEL_CODE32, .de
    xor edx, edx
    mov eax, 1
    xor ecx, ecx
.de: div ecx
    ENDEXPECT

    EXPECT "ud_ud2", 6, NOERR, SEL_CODE32, .ud
.ud: ud2
    ENDEXPECT

    EXPECT "ud_lds_reg", 6, NOERR, SEL_CODE32, .ud2
.ud2: db 0xC5, 0xC0             ; lds eax, eax
    ENDEXPECT

    EXPECT "gp_null_ss", 13, 0, SEL_CODE32, .gp1
    xor eax, eax
.gp1: mov ss, ax
    ENDEXPECT

    EXPECT "gp_null_ds_use", 13, 0, SEL_CODE32, .gp2
    xor eax, eax
    mov ds, ax                  ; loading a null selector is allowed
.gp2: mov eax, [0]
    ENDEXPECT
    mov eax, [got_fl]
    and eax, 0x10000
    CHECK "gp_pushed_rf", eax, dword 0x10000

    EXPECT "gp_limit", 13, 0, SEL_CODE32, .gp3
    mov ax, SEL_SMALL
    mov es, ax
    mov al, [es:0xFFF]          ; the last byte is fine
.gp3: mov eax, [es:0xFFE]         ; four bytes at 0xFFE cross the limit
    ENDEXPECT

    EXPECT "gp_write_readonly", 13, 0, SEL_CODE32, .gp4
    mov ax, SEL_RO
    mov es, ax
.gp4: mov byte [es:0], 1
    ENDEXPECT

    EXPECT "gp_ds_tss", 13, SEL_TSS, SEL_CODE32, .gp5
    mov ax, SEL_TSS
.gp5: mov ds, ax
    ENDEXPECT

    EXPECT "gp_ds_execonly", 13, SEL_XONLY, SEL_CODE32, .gp6
    mov ax, SEL_XONLY
.gp6: mov ds, ax
    ENDEXPECT

    EXPECT "gp_ss_code", 13, SEL_CODE32, SEL_CODE32, .gp7
    mov ax, SEL_CODE32
.gp7: mov ss, ax
    ENDEXPECT

    EXPECT "gp_ss_rpl", 13, SEL_DATA, SEL_CODE32, .gp8
    mov ax, SEL_DATA | 3
.gp8: mov ss, ax
    ENDEXPECT

    EXPECT "gp_ds_rpl_dpl", 13, SEL_DATA, SEL_CODE32, .gp9
    mov ax, SEL_DATA | 1        ; RPL 1 > DPL 0
.gp9: mov ds, ax
    ENDEXPECT
    ; A DPL 3 data segment may be loaded at CPL 0 with RPL 0.
    mov ax, SEL_DPL3D
    mov es, ax
    OK "ds_dpl3_at_cpl0"
    mov ax, SEL_DATA
    mov es, ax

    EXPECT "gp_beyond_gdt", 13, 0x1F8, SEL_CODE32, .gp10
    mov ax, 0x1F8
.gp10: mov ds, ax
    ENDEXPECT

    xor eax, eax
    lldt ax                     ; a null LDT (after reset the LDTR cache still has limit FFFFh)
    EXPECT "gp_ldt_null", 13, 0x0C, SEL_CODE32, .gp11
    mov ax, 0x0C                ; TI=1 with no LDT
.gp11: mov ds, ax
    ENDEXPECT

    EXPECT "gp_jmp_data", 13, SEL_DATA, SEL_CODE32, .gp12
.gp12: jmp SEL_DATA:0
    ENDEXPECT

    EXPECT "gp_eip_limit", 13, 0, SEL_CODE32, .gp13
.gp13: jmp SEL_CODE16:0x12345     ; offset beyond the 64 KiB limit
    ENDEXPECT

    EXPECT "np_ds", 11, SEL_NP, SEL_CODE32, .np1
    mov ax, SEL_NP
.np1: mov ds, ax
    ENDEXPECT

    EXPECT "ss_not_present", 12, SEL_NPSTK, SEL_CODE32, .ss1
    mov ax, SEL_NPSTK
.ss1: mov ss, ax
    ENDEXPECT

    EXPECT "ss_limit", 12, 0, SEL_CODE32, .ss2
    mov ax, SEL_SSMALL
    mov ss, ax
    mov esp, 0xF00
    push eax                    ; inside the limit
.ss2: mov eax, [ss:esp + 0x200]   ; 0x10FC..0x10FF is beyond it
    ENDEXPECT

    EXPECT "ss_push_limit", 12, 0, SEL_CODE32, .ss3
    mov ax, SEL_SSMALL
    mov ss, ax
    mov esp, 0x1000
    push eax
.ss3: push dword [ss:0x1002]      ; the read is beyond the limit
    ENDEXPECT

    EXPECT "bp_int3", 3, NOERR, SEL_CODE32, .bp_after
    int3
.bp_after:
    ENDEXPECT

    EXPECT "of_into", 4, NOERR, SEL_CODE32, .of_after
    mov al, 0x7F
    add al, 1                   ; OF=1
    into
.of_after:
    ENDEXPECT

    EXPECT "br_bound", 5, NOERR, SEL_CODE32, .br
    mov dword [scratch], 10
    mov dword [scratch + 4], 20
    mov eax, 20
    bound eax, [scratch]        ; 20 is inside [10, 20]
    mov eax, 21
.br: bound eax, [scratch]
    ENDEXPECT

    EXPECT "gp_int_empty_gate", 13, 0x80 * 8 + 2, SEL_CODE32, .gp14
.gp14: int 0x80
    ENDEXPECT

    ; An interrupt gate clears IF; a trap gate keeps it.
    mov eax, 0x41
    mov ebx, int_flags
    mov cx, SEL_CODE32
    mov dl, ACC_INT32
    call set_gate
    mov eax, 0x42
    mov dl, ACC_TRAP32
    call set_gate
    mov dword [saved_fl], 0
    pushfd
    or dword [esp], 0x200       ; IF=1 (no device raises an interrupt here)
    popfd
    int 0x41
    cli
    and dword [saved_fl], 0x200
    CHECK "int_gate_clears_if", dword [saved_fl], dword 0
    sti
    int 0x42
    cli
    and dword [saved_fl], 0x200
    CHECK "trap_gate_keeps_if", dword [saved_fl], dword 0x200

    ; ---- #DB: single step ----
    mov dword [exp_hook], ss_hook
    mov dword [exp_mode], MODE_HOOK
    mov dword [ss_n], 0
    xor eax, eax
    mov dr6, eax
    pushfd
    or dword [esp], 0x100
    popfd
.s1: mov eax, 1
.s2: mov eax, 2
.s3: mov eax, 3
.s4: nop
    mov dword [exp_mode], MODE_NONE
    CHECK "db_step_count", dword [ss_n], dword 3
    CHECK "db_step_eip1", dword [ss_log], dword .s2
    CHECK "db_step_eip2", dword [ss_log + 4], dword .s3
    CHECK "db_step_eip3", dword [ss_log + 8], dword .s4
    mov eax, [ss_dr6]
    and eax, 0x400F
    CHECK "db_step_dr6_bs", eax, dword 0x4000
    pushfd
    pop eax
    and eax, 0x100
    CHECK "db_step_tf_off", eax, dword 0

    ; Single-stepping INT n: no trap for the INT itself (the handler runs with TF clear), the
    ; next one after the instruction following the handler's IRET.
    mov dword [exp_hook], ss_hook
    mov dword [exp_mode], MODE_HOOK
    mov dword [ss_n], 0
    mov dword [ss_max], 2
    pushfd
    or dword [esp], 0x100
    popfd
.t1: int 0x41                   ; (int_flags: saves EFLAGS, IRET)
.t2: mov eax, 2
.t3: nop
    mov dword [exp_mode], MODE_NONE
    mov dword [ss_max], 3
    CHECK "db_step_int_count", dword [ss_n], dword 2
    CHECK "db_step_int_skipped", dword [ss_log], dword .t3
    mov eax, [saved_fl]
    and eax, 0x100
    CHECK "db_step_int_handler_tf_clear", eax, dword 0

    ; ---- #DB: instruction breakpoint on DR0 ----
%ifndef QEMU                    ; QEMU 7.2 crashes here
    mov dword [exp_hook], bp_hook
    mov dword [exp_mode], MODE_HOOK
    mov dword [ss_n], 0
    mov dword [bp_counter], 0
    xor eax, eax
    mov dr6, eax
    mov eax, BASE + .bp1
    mov dr0, eax
    mov eax, 1                  ; L0, R/W0 = 00 (execute), LEN0 = 00
    mov dr7, eax
    nop
.bp1: inc dword [bp_counter]
    xor eax, eax
    mov dr7, eax
    mov dword [exp_mode], MODE_NONE
    CHECK "db_bp_hits", dword [ss_n], dword 1
    CHECK "db_bp_eip", dword [ss_log], dword .bp1
    CHECK "db_bp_executed_once", dword [bp_counter], dword 1
    mov eax, [ss_dr6]
    and eax, 0x400F
    CHECK "db_bp_dr6_b0", eax, dword 1
    mov eax, [bp_fl]
    and eax, 0x10000
    CHECK "db_bp_pushed_rf_clear", eax, dword 0
    ; DR3, enabled globally (G3): B3 in DR6.
    mov dword [exp_mode], MODE_HOOK
    mov dword [ss_n], 0
    mov eax, BASE + .bp3
    mov dr3, eax
    mov eax, 0x80               ; G3, R/W3 = 00
    mov dr7, eax
.bp3: nop
    xor eax, eax
    mov dr7, eax
    mov dword [exp_mode], MODE_NONE
    CHECK "db_bp_dr3_hits", dword [ss_n], dword 1
    mov eax, [ss_dr6]
    and eax, 0xF
    CHECK "db_bp_dr6_b3", eax, dword 8
    ; A data breakpoint (R/W = 01) does not fire on instruction fetch.
    mov dword [exp_mode], MODE_HOOK
    mov dword [ss_n], 0
    mov eax, BASE + .bp4
    mov dr1, eax
    mov eax, 0x00D00004         ; L1, R/W1 = 01 (writes), LEN1 = 11
    mov dr7, eax
.bp4: nop
    xor eax, eax
    mov dr7, eax
    mov dword [exp_mode], MODE_NONE
    CHECK "db_data_bp_not_on_fetch", dword [ss_n], dword 0
%endif

    ; ---- back to real mode ----
    mov ax, SEL_FLAT
    mov fs, ax
    mov dword [fs:0x100000], 0x0DDBA11
    jmp SEL_CODE16:to_real
BITS 16
to_real:
    mov ax, SEL_DATA16
    mov ds, ax
    mov es, ax
    mov gs, ax                  ; (FS keeps its 4 GiB limit)
    mov ss, ax
    mov eax, cr0
    and al, 0xFE
    mov cr0, eax
    jmp 0x1000:.real
.real:
    mov ax, cs
    mov ds, ax
    mov es, ax
    mov ax, RSTACK_SEG
    mov ss, ax
    mov sp, 0xFFF0
    lidt [real_idtr]
    mov si, s_real
    call puts16
    ; Real mode keeps FS's cached 4 GiB limit: a 32-bit offset past 64 KiB works ("unreal").
    xor ax, ax
    mov fs, ax                  ; a real-mode load changes the base, not the limit
    mov ebx, 0x100000
    mov eax, [fs:ebx]
    cmp eax, 0x0DDBA11
    jne .unreal_bad
    mov si, s_unreal
    call puts16
    jmp .unreal_done
.unreal_bad:
    mov si, s_unreal_bad
    call puts16
.unreal_done:
    ; A real-mode interrupt through the vector table again.
    push ds
    xor ax, ax
    mov ds, ax
    mov word [0x61 * 4], real_int61
    mov word [0x61 * 4 + 2], cs
    pop ds
    mov bx, 0
    int 0x61
    cmp bx, 0x6161
    jne .bad
    mov si, s_realint
    call puts16
    jmp .fin
.bad:
    mov si, s_realint_bad
    call puts16
.fin:
    mov si, s_done
    call puts16
    mov al, 0
    out 0xF4, al
.h: cli
    hlt
    jmp .h

real_int61:
    mov bx, 0x6161
    iret

puts16:
    lodsb
    test al, al
    jz .d
    out 0xE9, al
    jmp puts16
.d: ret

s_real: db "ok real_mode_again", 10, 0
s_realint: db "ok real_mode_int", 10, 0
s_realint_bad: db "FAIL real_mode_int", 10, 0
s_done: db "done", 10, 0
s_unreal: db "ok unreal_fs_4g_limit_kept", 10, 0
s_unreal_bad: db "FAIL unreal_fs_4g_limit_kept", 10, 0

gate16_target:                  ; (16-bit code, reached through SEL_GATE16)
    mov [gate_esp], esp
    mov eax, [esp]
    mov [gate_frame], eax
    o16 retf

BITS 32
gate32_target:
    inc dword [gate_count]
    cmp dword [gate_mode], 1
    je .from_jmp
    mov [gate_esp], esp
    mov eax, [esp]
    mov [gate_frame], eax
    mov eax, [esp + 4]
    mov [gate_frame + 4], eax
    retf
.from_jmp:
    jmp main_jmp_back

int_flags:
    pushfd
    pop dword [saved_fl]
    iret

ss_hook:
    mov eax, [ebp + F_EIP]
    mov ecx, [ss_n]
    mov [ss_log + ecx * 4], eax
    inc dword [ss_n]
    mov eax, dr6
    mov [ss_dr6], eax
    xor eax, eax
    mov dr6, eax
    mov eax, [ss_n]
    cmp eax, [ss_max]
    jb .r
    and dword [ebp + F_FL], ~0x100
.r: ret

bp_hook:
    mov eax, [ebp + F_EIP]
    mov ecx, [ss_n]
    and ecx, 7
    mov [ss_log + ecx * 4], eax
    inc dword [ss_n]
    mov eax, dr6
    mov [ss_dr6], eax
    mov eax, [ebp + F_FL]
    mov [bp_fl], eax
    xor eax, eax
    mov dr6, eax
    ; Resume with RF set so the breakpoint does not hit again (the SDM's recipe).
    or dword [ebp + F_FL], 0x10000
    cmp dword [ss_n], 3
    jb .r
    xor eax, eax                ; looping: give up on the breakpoint
    mov dr7, eax
.r: ret

    align 4
scratch:    dd 0, 0
esp_before: dd 0
gate_esp:   dd 0
gate_frame: dd 0, 0
gate_count: dd 0
gate_mode:  dd 0
saved_fl:   dd 0
ss_n:       dd 0
ss_max:     dd 3
ss_log:     times 8 dd 0
ss_dr6:     dd 0
bp_fl:      dd 0
bp_counter: dd 0

    align 8
ldt:
    dq 0
    DESC BASE + 0x100, 0xFFF, ACC_DATA, FL_16               ; LSEL_DATA

%include "lib32.inc"

GDT_BEGIN
    DESC BASE, 0xFFF, ACC_DATA, FL_16                       ; SEL_SMALL
    DESC BASE, 0xFFFF, ACC_DATA - NOTPRESENT, FL_16         ; SEL_NP
    DESC BASE, 0xFFFF, 0x98, FL_32                          ; SEL_XONLY
    DESC BASE + 0x60000, 0xFFF, ACC_DATA, FL_32             ; SEL_SSMALL
    DESC BASE, 0xFFFF, ACC_DATA - NOTPRESENT, FL_32         ; SEL_NPSTK
    DESC BASE, 0xFFFF, ACC_RODATA, FL_16                    ; SEL_RO
    DESC BASE, 0xFFFF, ACC_DATA | DPL3, FL_16               ; SEL_DPL3D
    DESC BASE + 0x50000, 0xFFF, 0x96, FL_16                 ; SEL_EXPDN (phys 0x60000)
    DESC BASE, 0xFFFFF, ACC_CODE - NOTPRESENT, FL_G32       ; SEL_NPCODE
    GATEDESC SEL_CODE16, A(gate16_target), 0, ACC_CALL16    ; SEL_GATE16
    GATEDESC SEL_CODE32, A(gate32_target), 0, ACC_CALL32    ; SEL_GATE32
    DESC BASE + A(ldt), 15, ACC_LDT, FL_16                  ; SEL_LDT
GDT_END
