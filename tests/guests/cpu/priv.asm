; priv.asm - privilege levels: IRET to ring 3 (and which data segments it nulls), privileged and
; IOPL-sensitive instructions at CPL 3, the I/O permission bitmap, a call gate from ring 3 to
; ring 0 with two parameters (stack switch, copied parameters, RETF imm back), an interrupt from
; ring 3 onto the TSS ring-0 stack, a conforming code segment, #TS for a bad TSS stack.
; Expected results from the Intel SDM vol. 3 ch. 5 (protection), 6 (interrupts), 7 (TSS) and
; the CALL/RET/IRET/INT pseudocode in vol. 2.
%include "lib.inc"

SEL_GATE3  equ SEL_EXTRA + 0x00 | 3 ; 32-bit call gate, DPL 3, 2 params -> SEL_CODE32:gate_target
SEL_CONF   equ SEL_EXTRA + 0x08     ; conforming code, DPL 0
SEL_CODE1  equ SEL_EXTRA + 0x10     ; 32-bit code, DPL 1
SEL_GATE1  equ SEL_EXTRA + 0x18 | 3 ; call gate DPL 3 -> SEL_CODE1 (inner stack from SS1)
SEL_GATE0  equ SEL_EXTRA + 0x20     ; call gate DPL 0 -> SEL_CODE32
SEL_DATA1  equ SEL_EXTRA + 0x28     ; data, DPL 1
SEL_GATER0 equ SEL_EXTRA + 0x30 | 3 ; call gate DPL 3 -> to_ring0_target
SEL_NPUSTK equ SEL_EXTRA + 0x38     ; data DPL 3, not present

; TO_RING0: from ring 3 back to ring 0 at the next instruction (KSTACK, DS = ES = SEL_DATA).
%macro TO_RING0 0
    call SEL_GATER0:0
%endmacro

    START
    mov eax, 0x50
    mov ebx, int50
    mov cx, SEL_CODE32
    mov dl, ACC_INT32 | DPL3
    call set_gate
    mov eax, 0x51
    mov dl, ACC_INT32           ; DPL 0: INT 51h from ring 3 faults
    call set_gate

    ; ---- IRET to ring 3; what happens to the data segment registers ----
    mov ax, SEL_UDATA
    mov es, ax
    mov ax, SEL_DATA
    mov fs, ax                  ; DPL 0 data: nulled by the return to CPL 3
    mov ax, SEL_CONF
    mov gs, ax                  ; conforming code: kept
    push dword SEL_UDATA
    push dword USTACK
    push dword 0x00000002
    push dword SEL_UCODE
    push dword ring3_first
    iretd
ring3_first:
    mov [es:r3_ds], ds          ; (DS is null: use ES)
    mov word [es:r3_es], es
    mov word [es:r3_fs], fs
    mov word [es:r3_gs], gs
    mov word [es:r3_cs], cs
    mov word [es:r3_ss], ss
    mov [es:r3_esp], esp
    mov ax, SEL_UDATA
    mov ds, ax
    movzx eax, word [r3_cs]
    CHECK "iret_ring3_cs", eax, dword SEL_UCODE
    movzx eax, word [r3_ss]
    CHECK "iret_ring3_ss", eax, dword SEL_UDATA
    CHECK "iret_ring3_esp", dword [r3_esp], dword USTACK
    movzx eax, word [r3_ds]
    CHECK "iret_ring3_nulls_ds", eax, dword 0
    movzx eax, word [r3_fs]
    CHECK "iret_ring3_nulls_fs", eax, dword 0
    movzx eax, word [r3_es]
    CHECK "iret_ring3_keeps_es", eax, dword SEL_UDATA
    movzx eax, word [r3_gs]
    CHECK "iret_ring3_keeps_conforming_gs", eax, dword SEL_CONF
    OK "ring3_out_e9_allowed_by_bitmap"

    ; POPF at CPL 3 with IOPL 0 changes neither IF nor IOPL, silently.
    pushfd
    or dword [esp], 0x3200
    popfd
    pushfd
    pop eax
    and eax, 0x3200
    CHECK "ring3_popf_if_iopl_unchanged", eax, dword 0

    ; ---- a bad outer SS: the IRET / RETF faults at CPL 0 and changes nothing ----
    TO_RING0
    EXPECT "iret_outer_bad_ss", 13, SEL_DATA, SEL_CODE32, .iret_bad
    push dword SEL_DATA | 3     ; RPL 3 but DPL 0: not a valid ring-3 stack
    push dword USTACK
    push dword 0x2
    push dword SEL_UCODE
    push dword 0
.iret_bad: iretd
    ENDEXPECT
    EXPECT "retf_outer_not_present_ss", 12, SEL_NPUSTK, SEL_CODE32, .retf_bad
    push dword SEL_NPUSTK | 3
    push dword USTACK
    push dword SEL_UCODE
    push dword 0
.retf_bad: retf
    ENDEXPECT
    EXPECT "retf_to_inner_level_gp", 13, SEL_CODE32, SEL_UCODE, .retf_in
    TO_RING3 0x2
    push dword SEL_CODE32       ; RPL 0 < CPL 3
    push dword 0
.retf_in: retf
    ENDEXPECT
    TO_RING3 0x2

    ; ---- privileged and IOPL-sensitive instructions at CPL 3 ----
    EXPECT "ring3_cli", 13, 0, SEL_UCODE, .f1
.f1: cli
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_sti", 13, 0, SEL_UCODE, .f1b
.f1b: sti
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_hlt", 13, 0, SEL_UCODE, .f2
.f2: hlt
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_in_denied_port", 13, 0, SEL_UCODE, .f3
.f3: in al, 0x80
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_out_denied_port", 13, 0, SEL_UCODE, .f4
.f4: out 0x80, al
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_out_word_half_allowed", 13, 0, SEL_UCODE, .f4b
    mov dx, 0xE8                ; 0xE8 denied, 0xE9 allowed: both bits must be clear
.f4b: out dx, ax
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_in_beyond_bitmap", 13, 0, SEL_UCODE, .f5
    mov dx, 0x3F8
.f5: in al, dx
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_mov_cr0", 13, 0, SEL_UCODE, .f6
.f6: mov eax, cr0
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_lgdt", 13, 0, SEL_UCODE, .f7
.f7: lgdt [gdtr]
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_mov_dr7", 13, 0, SEL_UCODE, .f8
.f8: mov dr7, eax
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_lmsw", 13, 0, SEL_UCODE, .f8b
    xor eax, eax
.f8b: lmsw ax
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_int_dpl0_gate", 13, 0x51 * 8 + 2, SEL_UCODE, .f9
.f9: int 0x51
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_load_dpl0_data", 13, SEL_DATA, SEL_UCODE, .f10
    mov ax, SEL_DATA
.f10: mov fs, ax
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_jmp_dpl0_code", 13, SEL_CODE32, SEL_UCODE, .f11
.f11: jmp SEL_CODE32:0
    ENDEXPECT
    TO_RING3 0x2
    EXPECT "ring3_call_dpl0_gate", 13, SEL_GATE0 & ~3, SEL_UCODE, .f12
.f12: call SEL_GATE0:0
    ENDEXPECT
    ; SMSW and SGDT are not privileged (sensitive only).
    TO_RING3 0x2
    smsw ax
    and eax, 1
    CHECK "ring3_smsw_allowed", eax, dword 1

    ; ---- with IOPL 3, ring 3 may use CLI and any port ----
    TO_RING0
    TO_RING3 0x3002
    cli
    in al, 0x80
    pushfd
    pop eax
    and eax, 0x3200
    CHECK "ring3_iopl3_cli_in", eax, dword 0x3000

    ; ---- call gate from ring 3 to ring 0 with two parameters ----
    TO_RING0
    TO_RING3 0x2
    mov dword [gate_count], 0
    push dword 0x11111111
    push dword 0x22222222
    mov [before_call_esp], esp
.call_site:
    call SEL_GATE3:0xDEADBEEF   ; the gate supplies the offset
.after_call:
    mov [es:after_ds], ds
    mov [es:after_esp], esp
    mov word [es:after_cs], cs
    mov word [es:after_ss], ss
    mov ax, SEL_UDATA
    mov ds, ax
    CHECK "callgate_entered", dword [gate_count], dword 1
    CHECK "callgate_cs", dword [g_cs], dword SEL_CODE32
    CHECK "callgate_ss_from_tss", dword [g_ss], dword SEL_DATA
    CHECK "callgate_esp_from_tss", dword [g_esp], dword KSTACK0 - 24
    CHECK "callgate_ret_eip", dword [g_frame], dword .after_call
    CHECK "callgate_ret_cs", dword [g_frame + 4], dword SEL_UCODE
    CHECK "callgate_param2", dword [g_frame + 8], dword 0x22222222
    CHECK "callgate_param1", dword [g_frame + 12], dword 0x11111111
    mov eax, [before_call_esp]
    CHECK "callgate_old_esp", dword [g_frame + 16], eax
    CHECK "callgate_old_ss", dword [g_frame + 20], dword SEL_UDATA
    CHECK "retf_back_cs", dword [after_cs], dword SEL_UCODE
    CHECK "retf_back_ss", dword [after_ss], dword SEL_UDATA
    CHECK "retf_imm_releases_params", dword [after_esp], dword USTACK
    movzx eax, word [after_ds]
    CHECK "retf_outer_nulls_ds", eax, dword 0

    ; ---- interrupt from ring 3 onto the ring-0 stack of the TSS ----
    pushfd
    pop dword [int_fl_before]
    mov [before_call_esp], esp
.int_site:
    int 0x50
.after_int:
    mov [after_esp], esp
    CHECK "int_ring3_entered", dword [i_count], dword 1
    CHECK "int_ring3_esp0", dword [i_esp], dword KSTACK0 - 20
    CHECK "int_ring3_ss0", dword [i_ss], dword SEL_DATA
    CHECK "int_ring3_frame_eip", dword [i_frame], dword .after_int
    CHECK "int_ring3_frame_cs", dword [i_frame + 4], dword SEL_UCODE
    mov eax, [int_fl_before]
    CHECK "int_ring3_frame_eflags", dword [i_frame + 8], eax
    mov eax, [before_call_esp]
    CHECK "int_ring3_frame_esp", dword [i_frame + 12], eax
    CHECK "int_ring3_frame_ss", dword [i_frame + 16], dword SEL_UDATA
    CHECK "int_ring3_iret_back_esp", dword [after_esp], eax

    ; ---- conforming code: called from ring 3, runs at CPL 3 ----
    mov [before_call_esp], esp
    call SEL_CONF:conf_fn
    CHECK "conforming_cs_rpl_is_cpl", dword [c_cs], dword SEL_CONF | 3
    mov eax, [before_call_esp]
    sub eax, 8
    CHECK "conforming_same_stack", dword [c_esp], eax
    CHECK "conforming_ss", dword [c_ss], dword SEL_UDATA

    ; ---- #TS: the TSS holds a bad ring-1 stack ----
    mov dword [tss_esp1], 0x6D000
    mov dword [tss_ss1], SEL_DATA1  ; RPL 0 != DPL 1 of the target: invalid
    EXPECT "ts_bad_ss1_rpl", 10, SEL_DATA1, SEL_UCODE, .ts1
.ts1: call SEL_GATE1:0
    ENDEXPECT
    mov dword [tss_ss1], SEL_DATA | 1   ; DPL 0 segment for a ring-1 stack: invalid
    TO_RING3 0x2
    EXPECT "ts_bad_ss1_dpl", 10, SEL_DATA, SEL_UCODE, .ts2
.ts2: call SEL_GATE1:0
    ENDEXPECT
    mov dword [tss_ss1], SEL_DATA1 | 1  ; valid: the call reaches ring 1
    TO_RING3 0x2
    mov dword [r1_cs], 0
    call SEL_GATE1:0
    mov ax, SEL_UDATA
    mov ds, ax
    CHECK "callgate_ring1_cs", dword [r1_cs], dword SEL_CODE1 | 1
    CHECK "callgate_ring1_ss", dword [r1_ss], dword SEL_DATA1 | 1
    CHECK "callgate_ring1_esp", dword [r1_esp], dword 0x6D000 - 16

    ; Back at ring 0 through the gate with no parameters, to finish.
    call SEL_GATE3:0
    ; (gate_target returns with RETF 8 only for the first call; gate_count says which)
after_final:
    mov ax, SEL_DATA
    mov ds, ax
    mov es, ax
    DONE

; Ring 0 through SEL_GATE3. The first time: record the frame and return to ring 3 with RETF 8,
; leaving DS = SEL_DATA (DPL 0) so that the return nulls it. The second time: stay at ring 0.
gate_target:
    push ds
    mov ax, SEL_DATA
    mov ds, ax
    pop eax                     ; (the caller's DS, not needed)
    inc dword [gate_count]
    cmp dword [gate_count], 1
    jne .stay
    mov word [g_cs], cs
    mov word [g_ss], ss
    mov [g_esp], esp
    mov ecx, 6
    xor ebx, ebx
.copy:
    mov eax, [esp + ebx * 4]
    mov [g_frame + ebx * 4], eax
    inc ebx
    loop .copy
    retf 8
.stay:
    mov esp, KSTACK
    jmp after_final

to_ring0_target:
    pop eax                     ; the return EIP: continue there at ring 0
    mov esp, KSTACK
    mov cx, SEL_DATA
    mov ds, cx
    mov es, cx
    jmp eax

int50:
    push ds
    push eax
    mov ax, SEL_DATA
    mov ds, ax
    inc dword [i_count]
    lea eax, [esp + 8]
    mov [i_esp], eax
    mov word [i_ss], ss
    mov eax, [esp + 8]
    mov [i_frame], eax
    mov eax, [esp + 12]
    mov [i_frame + 4], eax
    mov eax, [esp + 16]
    mov [i_frame + 8], eax
    mov eax, [esp + 20]
    mov [i_frame + 12], eax
    mov eax, [esp + 24]
    mov [i_frame + 16], eax
    pop eax
    pop ds
    iretd

conf_fn:
    mov word [c_cs], cs
    mov word [c_ss], ss
    mov [c_esp], esp
    retf

ring1_fn:
    mov word [es:r1_cs], cs
    mov word [es:r1_ss], ss
    mov [es:r1_esp], esp
    retf

    align 4
r3_ds: dd 0
r3_es: dd 0
r3_fs: dd 0
r3_gs: dd 0
r3_cs: dd 0
r3_ss: dd 0
r3_esp: dd 0
gate_count: dd 0
g_cs: dd 0
g_ss: dd 0
g_esp: dd 0
g_frame: times 6 dd 0
before_call_esp: dd 0
after_ds: dd 0
after_esp: dd 0
after_cs: dd 0
after_ss: dd 0
int_fl_before: dd 0
i_count: dd 0
i_esp: dd 0
i_ss: dd 0
i_frame: times 5 dd 0
c_cs: dd 0
c_ss: dd 0
c_esp: dd 0
r1_cs: dd 0
r1_ss: dd 0
r1_esp: dd 0

%include "lib32.inc"

GDT_BEGIN
    GATEDESC SEL_CODE32, A(gate_target), 2, ACC_CALL32 | DPL3   ; SEL_GATE3
    DESC BASE, 0xFFFFF, ACC_CONF, FL_G32                        ; SEL_CONF
    DESC BASE, 0xFFFFF, ACC_CODE | DPL1, FL_G32                 ; SEL_CODE1
    GATEDESC SEL_CODE1, A(ring1_fn), 0, ACC_CALL32 | DPL3       ; SEL_GATE1
    GATEDESC SEL_CODE32, A(gate_target), 0, ACC_CALL32          ; SEL_GATE0
    DESC BASE, 0xFFFFF, ACC_DATA | DPL1, FL_G32                 ; SEL_DATA1
    GATEDESC SEL_CODE32, A(to_ring0_target), 0, ACC_CALL32 | DPL3 ; SEL_GATER0
    DESC BASE, 0xFFFFF, (ACC_DATA | DPL3) - NOTPRESENT, FL_G32  ; SEL_NPUSTK
GDT_END
